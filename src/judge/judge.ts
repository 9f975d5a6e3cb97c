import { classifyOther, classifyRequests, unmeasured } from './classify.js';
import { classifyRum } from './classify-rum.js';
import { classifySdkErrors, type RequestTotals } from './classify-sdk-errors.js';
import type { JudgeInput, MetricResult, Verdict } from './model.js';
import { prepareRequests } from './requests.js';
import { isWorse, scoreResults } from './score.js';
import { validateJudgeSettings } from './settings.js';
import { availabilityTriggers, requestTriggers } from './triggers.js';

export { defaultJudgeSettings, resolveJudgeSettings } from './settings.js';

/**
 * Judge a canary at one look: run the triggers and the classifier on every measurement,
 * score the results, and decide. Pure: the same input gives the same verdict.
 *
 * - fail as soon as any result is worse and conclusive (the reason is that result's message);
 * - otherwise, while the window runs: running;
 * - when it ends (`final`): pass if the score reaches passScore with enough data (minSamples
 *   candidate requests, or checks / values that passed), fail below marginalScore with enough
 *   data, else inconclusive.
 *
 * Why looking every second does not cry wolf. The engine calls this every second with
 * everything measured since the candidate got traffic, so over a 60 s window each rule gets
 * ~60 looks at nested, cumulative data. Three things keep the chance that a healthy candidate
 * is failed at any of them below 1 % (judge-simulation.test.ts measures it on 400 healthy
 * canaries, 60 looks each):
 *  1. Every null hypothesis sits at a margin beyond a healthy candidate: error rate above 1 %
 *     (healthy: 0.5 %) or 5× stable, p95 above 500 ms or 5× stable, median above stable
 *     +20 % / +25 ms, errors above stable +0.5 points. Under health the test statistics drift
 *     away from the rejection region as data grows (a healthy candidate's p-values tend to 1),
 *     unlike a test of "no difference", whose statistic random-walks and crosses any fixed
 *     per-look threshold eventually. So the risk is concentrated in the first looks.
 *  2. In those first looks the counts are small, and small counts get exact tests (binomial,
 *     Fisher; Mann–Whitney exact) rather than approximations that overstate them.
 *  3. Each look must clear 99.9 % confidence. Successive looks share most of their data, so
 *     they are strongly correlated: the union bound (60 × 0.1 % = 6 %) is far from reached —
 *     and with the margin of (1) the per-look error under health is far below 0.1 % anyway.
 * A fixed alpha-spending schedule would need the number of looks in advance and would slow
 * the fail-fast cases the triggers exist for; the margin does the same work without that.
 */
export function judge(input: JudgeInput): Verdict {
  const { settings, now, final } = input;
  validateJudgeSettings(settings);
  const metrics: MetricResult[] = [...availabilityTriggers(input.availability, settings, now)];
  let candidateRequests = 0;
  // SDK error events are judged per request: the proxy's request counts of the same look.
  let requests: RequestTotals | undefined;
  for (const m of input.measurements)
    if (m.phase === 'ok' && m.kind === 'requests') requests = { candidate: m.candidate.total, stable: m.stable.total };
  for (const m of input.measurements) {
    if (m.phase === 'ok' && m.kind === 'requests') {
      const prepared = prepareRequests(m);
      if ('problem' in prepared) {
        metrics.push(unmeasured(m.metric, m.source, 'error', `the source reported an impossible ${prepared.problem}`));
        continue;
      }
      candidateRequests = Math.max(candidateRequests, prepared.candidate.total);
      metrics.push(...requestTriggers(prepared, settings), ...classifyRequests(prepared, settings));
    } else if (m.phase === 'ok' && m.kind === 'rum') {
      metrics.push(...classifyRum(m, settings));
    } else if (m.phase === 'ok' && m.kind === 'errors') {
      metrics.push(...classifySdkErrors(m, requests, settings));
    } else {
      metrics.push(classifyOther(m, settings));
    }
  }
  const score = scoreResults(metrics);
  const verdict = (outcome: Verdict['outcome'], reason: string): Verdict => ({
    at: now,
    outcome,
    score,
    metrics,
    reason,
  });

  const failing = metrics.find((r) => isWorse(r) && r.conclusive);
  if (failing) return verdict('fail', failing.message);
  const watching = metrics.find(isWorse);
  const scored = metrics.filter((r) => r.classification !== 'nodata');
  const passing = scored.filter((r) => r.classification === 'pass').length;
  const tally = `${passing} of ${scored.length} rules pass, candidate ${candidateRequests} requests`;
  if (!final)
    return verdict(
      'running',
      watching ? `not conclusive yet: ${watching.message}` : `no regression so far (score ${score}: ${tally})`,
    );

  const { minSamples, passScore, marginalScore } = settings.statistics;
  const otherEvidence = metrics.some(
    (r) => (r.rule === 'checks.failed' || r.rule === 'value.vs-stable') && r.classification === 'pass',
  );
  const enoughData = candidateRequests >= minSamples || otherEvidence;
  const notPassing = scored.filter((r) => r.classification !== 'pass').map((r) => r.message);
  const detail = notPassing.length > 0 ? `; ${notPassing.join('; ')}` : '';
  if (!enoughData)
    return verdict(
      'inconclusive',
      `not enough data: the candidate served ${candidateRequests} requests, ${minSamples} needed`,
    );
  if (score >= passScore) return verdict('pass', `score ${score} ≥ ${passScore} (${tally})`);
  if (score < marginalScore) return verdict('fail', `score ${score} < marginal ${marginalScore} (${tally})${detail}`);
  return verdict(
    'inconclusive',
    `score ${score} between marginal ${marginalScore} and pass ${passScore} (${tally})${detail}`,
  );
}
