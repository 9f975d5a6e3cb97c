import { durationProblem, maxDurationMs, parseDuration } from '../shared/duration.js';
import { SlipwayError } from '../shared/errors.js';

/**
 * How a refusal names what was given: the API by its query field (`since: "2027-01-01"`, which routes may prefix
 * with `query.`), the CLI by its flag (`--since 2027-01-01`), so each reader sees the words they typed.
 */
export type PeriodNames = 'query' | 'flags';

/**
 * A period from flags or query parameters: `since` is a duration back from `until` ("30d", "12h") or a date
 * (2026-10-01, or a full ISO time); `until` is a date, default now.
 *
 * @example parsePeriod({ since: '30d' }, Date.now())
 */
export function parsePeriod(
  q: { since?: string; until?: string },
  now: number,
  names: PeriodNames = 'query',
): { since: Date; until: Date } {
  const name = (field: 'since' | 'until', text: string) =>
    names === 'flags' ? `--${field} ${text}` : `${field}: "${text}"`;
  const until = q.until === undefined ? now : dateOf(q.until, name('until', q.until));
  const text = q.since ?? '30d';
  // `--since 30` is 30 days to one reader and 30 ms to parseDuration: refused as every duration from people is.
  const unitless = /^\s*\d+(\.\d+)?\s*$/.test(text) ? durationProblem(text) : undefined;
  if (unitless)
    throw new SlipwayError('invalid_input', `${names === 'flags' ? `--since ${text}` : 'since:'} ${unitless}`);
  const ms = /^\d/.test(text) && !text.includes('-') ? parseDuration(text) : undefined;
  const since = ms !== undefined ? until - ms : dateOf(text, name('since', text));
  if (ms !== undefined && (ms <= 0 || ms > maxDurationMs))
    throw new SlipwayError('invalid_input', `${name('since', text)} must be between 1ms and 366d`);
  if (since >= until && q.until === undefined)
    throw new SlipwayError('invalid_input', `${name('since', text)} is in the future`);
  if (since >= until) {
    const before = names === 'flags' ? `--until ${q.until}` : `until ("${q.until}")`;
    throw new SlipwayError('invalid_input', `${name('since', text)} must be before ${before}`);
  }
  return { since: new Date(since), until: new Date(until) };
}

function dateOf(text: string, named: string): number {
  const at = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at))
    throw new SlipwayError(
      'invalid_input',
      `${named} is neither a duration (30d, 12h) nor a date (2026-10-01, 2026-10-01T00:00:00Z)`,
    );
  return at;
}
