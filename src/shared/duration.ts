/**
 * Durations in config and flags: "250ms", "30s", "2m", "1h", "1m30s". parseDuration also reads a
 * number of milliseconds (stored values); durationProblem refuses bare numbers from people.
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Parse a duration; returns undefined when the text is not one (callers report where). */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  part.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * unitMs[m[2]!]!;
    consumed = part.lastIndex;
  }
  return consumed === text.length ? Math.round(total) : undefined;
}

/** The longest a duration may be, and how a message says so. */
export interface DurationLimit {
  ms: number;
  text: string;
}

/** The longest duration any setting or flag takes (366 days): longer is a typo, and would overflow dates. */
export const maxDurationMs = 366 * 86_400_000;
/** The limit of durations kept as deadlines or dates (soak, keepOldFor, token expiry). */
export const longestDuration: DurationLimit = { ms: maxDurationMs, text: '366d' };
/**
 * The limit of durations waited for with one timer (intervals, timeouts, drains): Node fires a
 * setTimeout of more than 2^31-1 ms (24.8 days) after 1 ms, and PostgreSQL's lock_timeout and
 * statement_timeout stop at the same number.
 */
export const longestWait: DurationLimit = { ms: 24 * 86_400_000, text: '24d (it is waited for with one timer)' };

/**
 * Why `input` is not a duration Slipway accepts from people (config, API, flags), or undefined.
 * A unit is required — a bare number is ambiguous (seconds? milliseconds?) — except for 0.
 */
export function durationProblem(input: string | number, limit: DurationLimit = longestDuration): string | undefined {
  const unitless = typeof input === 'number' || /^\s*\d+(\.\d+)?\s*$/.test(input);
  if (unitless && Number(input) !== 0) return `needs a unit, like ${input}s or ${input}ms (a bare number is ambiguous)`;
  const ms = parseDuration(input);
  if (ms === undefined) return 'must be a duration like 30s, 500ms or 1m30s';
  if (ms > limit.ms) return `must be at most ${limit.text}`;
  return undefined;
}

/** Render milliseconds for people: 850ms, 12.3s, 4m05s. */
export function formatDuration(ms: number): string {
  // Each unit is chosen after rounding to what it shows, so a value just under a boundary never reads as one past it
  // (59.96 s was "60.0s", 19 min 59.5 s "19m60s", 999.6 ms "1000ms").
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (Number(seconds.toFixed(2)) < 10) return `${seconds.toFixed(2)}s`;
  if (Number(seconds.toFixed(1)) < 60) return `${seconds.toFixed(1)}s`;
  const wholeSeconds = Math.round(seconds);
  const m = Math.floor(wholeSeconds / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return m < 60 ? `${m}m${pad(wholeSeconds % 60)}s` : `${Math.floor(m / 60)}h${pad(m % 60)}m`;
}
