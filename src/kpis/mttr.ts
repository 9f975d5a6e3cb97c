import { formatDuration } from '../shared/duration.js';
import type { RestoreSummary, TargetCheck } from './model.js';
import { targets } from './model.js';
import { summarize } from './summarize.js';

const target = '≤ 15m';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Times to restore of one kind: those restored in the period, and how long the ones still open at its end have been
 * open so far (each is at least its time to restore).
 */
export function restoreSummary(restoredMs: readonly number[], openMs: readonly number[]): RestoreSummary {
  return { ...summarize(restoredMs), open: openMs.length, longestOpenMs: openMs.length ? Math.max(...openMs) : null };
}

/**
 * MTTR's check, and which figure it judges. Incidents are what MTTR is about: it is judged on them whenever the period
 * has one (restored in it, or still open at its end). Without an incident, a bad release that served users until a
 * good one was live is still an outage somebody restored, so the deployments' time to restore is judged instead, and
 * the note says so. An outage still open counts against the mean: its time so far is a lower bound, so once the mean
 * with those lower bounds is over the target the check fails; below it, the mean is unknown until they are restored.
 */
export function judgeMttr(
  incidents: { restoredMs: readonly number[]; openMs: readonly number[] },
  deployments: { restoredMs: readonly number[]; openMs: readonly number[] },
): { judgedOn: 'incidents' | 'deployments'; check: TargetCheck } {
  const has = (x: typeof incidents) => x.restoredMs.length + x.openMs.length > 0;
  if (has(incidents)) return { judgedOn: 'incidents', check: judge(incidents, 'incident') };
  if (has(deployments)) {
    const c = judge(deployments, 'bad deployment');
    const why = 'no incident in the period: judged on the deployments';
    return { judgedOn: 'deployments', check: { ...c, note: c.note ? `${why}; ${c.note}` : why } };
  }
  return {
    judgedOn: 'incidents',
    check: { target, status: 'unknown', note: 'no incident or bad deployment to restore' },
  };
}

function judge(x: { restoredMs: readonly number[]; openMs: readonly number[] }, what: string): TargetCheck {
  const all = [...x.restoredMs, ...x.openMs];
  const atLeast = all.reduce((a, b) => a + b, 0) / all.length;
  if (x.openMs.length === 0) return { target, status: atLeast <= targets.mttrMs ? 'pass' : 'fail' };
  // No brackets: the dashboard shows the note in brackets of its own.
  const open = `${plural(x.openMs.length, what)} still open, ${openFor(x.openMs)}`;
  if (atLeast > targets.mttrMs)
    return { target, status: 'fail', note: `${open}: the mean is already at least ${formatDuration(atLeast)}` };
  return { target, status: 'unknown', note: `${open}; judged once restored` };
}

const openFor = (openMs: readonly number[]) =>
  openMs.length === 1
    ? `${formatDuration(openMs[0]!)} so far`
    : `the longest ${formatDuration(Math.max(...openMs))} so far`;
