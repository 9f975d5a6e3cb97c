/** The scheduled deployments still to come, as `slipway status` lists them under the releases. */
import { formatDuration } from '../shared/duration.js';
import { dim, printable } from './output.js';

/** A pending scheduled deployment as GET …/scheduled-deployments lists it (the fields shown here). */
export interface Upcoming {
  id: string;
  service: string;
  environment: string;
  version: string;
  at: string;
  waiting?: { behind: string; since: string; until: string };
}

/**
 * "scheduled" and one line each, soonest first: what goes where, when (and in how long), or what it waits behind;
 * nothing when none is pending. `slipway scheduled` has the rest (notices, cancels).
 */
export function renderUpcoming(list: readonly Upcoming[], now: number): string {
  if (list.length === 0) return '';
  const out = ['', 'scheduled'];
  for (const s of list) {
    const what = `${printable(s.service)} ${printable(s.version)} → ${printable(s.environment)}`;
    const inMs = Date.parse(s.at) - now;
    const when = s.waiting
      ? `waiting behind ${s.waiting.behind} (due ${s.at}; gives up at ${s.waiting.until})`
      : `at ${s.at}${inMs > 0 ? ` (in ${formatDuration(inMs)})` : ' (due now)'}`;
    out.push(`  ${what} ${when}  ${dim(s.id)}`);
  }
  return out.join('\n');
}
