import type { ErrorWindow, Measurement, WindowIssue } from '../signals/signal-source.js';
import { formatConfidence, formatP, formatPercent } from './format.js';
import type { JudgeSettings, MetricResult } from './model.js';
import { describeSignificance, significanceOf } from './significance.js';
import { binomialUpperTail } from './statistics/binomial.js';
import { fisherExact } from './statistics/fisher.js';

type ErrorsMeasurement = Extract<Measurement, { kind: 'errors' }>;

/**
 * Events of a new issue before it fails a canary: one or two can be a client's odd input that
 * any release would trip over; three of a kind the stable release never reported is the release.
 */
export const minNewIssueEvents = 3;

/** Requests each release served in the window (from the proxy's `requests` measurement), when there is one. */
export interface RequestTotals {
  candidate: number;
  stable: number;
}

/** The releases' SDK errors: new issues, error events per request, crash-free sessions. */
export function classifySdkErrors(m: ErrorsMeasurement, requests: RequestTotals | undefined, s: JudgeSettings) {
  return [classifyNewIssues(m), classifyEventsPerRequest(m, requests, s), classifyCrashFree(m, s)];
}

const reported = (w: ErrorWindow) => w.events > 0 || w.sessions > 0;
const isNew = (i: WindowIssue) => !i.seenInOther && (i.level === 'error' || i.level === 'fatal');

function describeIssue(i: WindowIssue): string {
  return `${i.id} "${i.title}" (${i.count} ${i.unhandled ? 'unhandled' : 'handled'} events${
    i.culprit ? `, first frame ${i.culprit}` : ''
  })`;
}

/** An error-level issue the candidate reports and the stable release never did fails the canary. */
export function classifyNewIssues(m: ErrorsMeasurement): MetricResult {
  const rule = 'errors.new-issue';
  const fresh = m.candidate.issues
    .filter(isNew)
    .sort((a, b) => Number(b.unhandled) - Number(a.unhandled) || b.count - a.count);
  const common = {
    metric: 'new-issues',
    source: m.source,
    rule,
    candidate: fresh.length,
    candidateCount: m.candidate.events,
    threshold: `an error issue the stable release never reported, ${minNewIssueEvents} or more events`,
    weight: 1,
  };
  if (!reported(m.candidate) && !reported(m.stable) && !(m.baseline && reported(m.baseline)))
    return {
      ...common,
      classification: 'nodata',
      conclusive: false,
      message: `${rule}: no SDK reported errors or sessions`,
    };
  const [worst] = fresh;
  if (!worst)
    return { ...common, classification: 'pass', conclusive: false, message: `${rule}: no new issue in the candidate` };
  const conclusive = worst.count >= minNewIssueEvents;
  const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more new issues)` : '';
  return {
    ...common,
    classification: 'high',
    conclusive,
    message: conclusive
      ? `${rule}: the candidate reports a new issue ${describeIssue(worst)}${more}; the stable release never did`
      : `${rule}: a new issue ${describeIssue(worst)}; ${minNewIssueEvents} events needed to fail`,
  };
}

/**
 * Error events per request: the candidate's share of requests that reported an error against the
 * stable one + allowedErrorRateIncrease (exact binomial tail) and worse at all (Fisher), the larger
 * p-value decides, as for HTTP errors. Events are capped at requests (one request may report several).
 */
export function classifyEventsPerRequest(
  m: ErrorsMeasurement,
  requests: RequestTotals | undefined,
  s: JudgeSettings,
): MetricResult {
  const rule = 'errors.per-request';
  const { minSamples, allowedErrorRateIncrease, confidence } = s.statistics;
  const allowed = `+${formatPercent(allowedErrorRateIncrease).replace(' %', ' points')}`;
  const common = {
    metric: 'error-events-per-request',
    source: m.source,
    rule,
    unit: '%',
    threshold: `error events per request above stable ${allowed} at ${formatConfidence(confidence)} confidence`,
    weight: 1,
  };
  if (
    !requests ||
    requests.candidate < minSamples ||
    requests.stable < minSamples ||
    (!reported(m.candidate) && !reported(m.stable))
  )
    return {
      ...common,
      classification: 'nodata',
      conclusive: false,
      message: requests
        ? `${rule}: ${requests.candidate} candidate and ${requests.stable} stable requests, ${minSamples} needed ` +
          'each (or no SDK reports)'
        : `${rule}: no request counts`,
    };
  const ce = Math.min(m.candidate.events, requests.candidate);
  const se = Math.min(m.stable.events, requests.stable);
  return compare(
    rule,
    common,
    ce,
    requests.candidate,
    se,
    requests.stable,
    allowedErrorRateIncrease,
    s,
    'requests with an error event',
  );
}

/** Crash-free sessions: the candidate's crash rate against the stable one's, tested like error rates. */
export function classifyCrashFree(m: ErrorsMeasurement, s: JudgeSettings): MetricResult {
  const rule = 'sessions.crash-free';
  const { minSamples, allowedErrorRateIncrease, confidence } = s.statistics;
  const common = {
    metric: 'crash-free-sessions',
    source: m.source,
    rule,
    unit: '%',
    threshold:
      `crashed sessions above stable +${formatPercent(allowedErrorRateIncrease).replace(' %', ' points')} at ` +
      `${formatConfidence(confidence)} confidence`,
    weight: 1,
  };
  const c = m.candidate;
  const st =
    m.stable.sessions >= minSamples
      ? m.stable
      : m.baseline && m.baseline.sessions >= minSamples
        ? m.baseline
        : undefined;
  if (c.sessions < minSamples || !st)
    return {
      ...common,
      classification: 'nodata',
      conclusive: false,
      message:
        `${rule}: ${c.sessions} candidate sessions, ` + `${st ? '' : 'too few stable sessions, '}${minSamples} needed`,
    };
  return compare(
    rule,
    common,
    c.crashedSessions,
    c.sessions,
    st.crashedSessions,
    st.sessions,
    allowedErrorRateIncrease,
    s,
    'sessions crashed',
  );
}

function compare(
  rule: string,
  common: Omit<MetricResult, 'classification' | 'conclusive' | 'message'>,
  cx: number,
  cn: number,
  sx: number,
  sn: number,
  margin: number,
  s: JudgeSettings,
  what: string,
): MetricResult {
  const exact = binomialUpperTail(cx, cn, Math.min(1, (sx + 0.5) / (sn + 1) + margin));
  const fisher = fisherExact(
    [
      [cx, cn - cx],
      [sx, sn - sx],
    ],
    'greater',
  );
  const pValue = Math.max(exact, fisher.pValue);
  const sig = significanceOf(pValue, s);
  const seen =
    `candidate ${formatPercent(cx / cn)} (${cx} of ${cn}) vs stable ${formatPercent(sx / sn)} (${sx} of ${sn}) ` + what;
  const figures = `exact ${formatP(exact)}; Fisher ${formatP(fisher.pValue)}`;
  return {
    ...common,
    candidate: (cx / cn) * 100,
    stable: (sx / sn) * 100,
    candidateCount: cn,
    stableCount: sn,
    classification: sig.worse ? 'high' : 'pass',
    conclusive: sig.conclusive,
    statistic: { name: 'p: larger of exact binomial and Fisher', value: cx, pValue },
    message: sig.worse
      ? `${rule}: ${seen}: worse ${describeSignificance(sig, s)} (${figures})`
      : `${rule}: ${seen}: within allowed (${figures})`,
  };
}
