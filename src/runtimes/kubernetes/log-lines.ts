import type { LogLine } from '../runtime.js';

/**
 * Pod log lines as the API returns them with `timestamps=true`: `<RFC3339Nano> <text>`. A cursor names the
 * pod, the line's time with nine fraction digits (so cursors compare as strings) and its place among lines
 * of the same time, so a read with `sinceSeconds` can skip what was already seen. (The kubelet stamps lines
 * to the nanosecond: two lines of one time, split by a `tailLines` read, are the only case it can miscount.)
 */

export interface Cursor {
  pod: string;
  time: string;
  n: number;
}

/** 2026-12-04T11:30:25.12345Z → 2026-12-04T11:30:25.123450000Z (the kubelet trims trailing zeros). */
function fixedNanos(ts: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return undefined;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

export function formatCursor(c: Cursor): string {
  return `${c.pod}|${c.time}|${c.n}`;
}

export function parseCursor(cursor: string): Cursor | undefined {
  const [pod, time, n] = cursor.split('|');
  if (!pod || !time || !fixedNanos(time) || !/^\d+$/.test(n ?? '')) return undefined;
  return { pod, time, n: Number(n) };
}

/** The lines of one log read, after `after` (same pod) when given. */
export function parseLog(pod: string, body: string, after?: Cursor): LogLine[] {
  const lines: LogLine[] = [];
  let previous = '';
  let n = 0;
  for (const raw of body.split('\n')) {
    if (raw === '') continue;
    const space = raw.indexOf(' ');
    const time = fixedNanos(space > 0 ? raw.slice(0, space) : raw);
    if (!time) continue;
    n = time === previous ? n + 1 : 0;
    previous = time;
    if (after && after.pod === pod && (time < after.time || (time === after.time && n <= after.n))) continue;
    lines.push({
      text: space > 0 ? raw.slice(space + 1) : '',
      at: Date.parse(`${time.slice(0, 23)}Z`),
      cursor: formatCursor({ pod, time, n }),
    });
  }
  return lines;
}

/** `sinceTime` for a read that resumes at a cursor: its whole second (the API takes no fraction). */
export function sinceTimeOf(c: Cursor): Date {
  return new Date(`${c.time.slice(0, 19)}Z`);
}
