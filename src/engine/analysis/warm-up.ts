import { formatDuration } from '../../shared/duration.js';
import type { MetricResult, Verdict } from '../../judge/model.js';
import { isWorse } from '../../judge/score.js';

/** Latency results: the p95 triggers ("latency-p95") and the median comparison ("latency"). */
export const isLatency = (m: MetricResult) => m.metric === 'latency' || m.metric.startsWith('latency-');

/**
 * The post-deploy watch's verdict while the new release warms up. Right after the traffic switch
 * its processes are cold (JIT, connection pools, caches): a p95 of 859 ms on the first 34 requests
 * is a cold start, not a regression, and rolled a healthy release back under load. So until
 * `warmUpMs` after the watch began, a failure that only latency results carry is held back (the
 * verdict runs on); any other conclusive failure — errors, availability, checks — still fails at
 * once. After the warm-up the watch judges only what was served since (see `watchWindowStart`),
 * so the cold requests never count against the release.
 */
export function duringWarmUp(verdict: Verdict, warmUpEndsAt: number): Verdict {
  if (verdict.outcome !== 'fail' || verdict.at >= warmUpEndsAt) return verdict;
  const failing = verdict.metrics.filter((m) => isWorse(m) && m.conclusive);
  const other = failing.find((m) => !isLatency(m));
  if (other) return { ...verdict, reason: other.message };
  // A score-based fail needs `final`, which the watch never asks for: every fail here is a conclusive result.
  if (failing.length === 0) return verdict;
  const left = formatDuration(Math.max(0, warmUpEndsAt - verdict.at));
  return {
    ...verdict,
    outcome: 'running',
    reason: `warming up (latency judged in ${left}, on what is served from then): ${failing[0]!.message}`,
  };
}

/** Where the watch's window begins at `now`: the watch's start during the warm-up, the warm-up's end after it. */
/** watch.warmUp's default (slipway.yaml: 30s), also for configs stored before the option existed. */
export const defaultWatchWarmUpMs = 30_000;

export function watchWindowStart(startedAt: number, warmUpMs: number, now: number): number {
  return now < startedAt + warmUpMs ? startedAt : startedAt + warmUpMs;
}
