/**
 * Deployment windows: may a deployment start in an environment at this time, and if not, when is
 * the next opening. Each window is two weekly crons in its time zone (croner handles DST): one at
 * its opening, one at its closing; a time is inside when the last opening came after the last closing.
 */
import { Cron } from 'croner';
import type { DeploymentWindow } from '../../config/model.js';

const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** "mon-fri 09:00-16:00 Europe/Oslo". */
export function describeWindow(w: DeploymentWindow): string {
  const runs: number[][] = [];
  for (const d of [...w.days].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && last.at(-1) === d - 1) last.push(d);
    else runs.push([d]);
  }
  const days = runs
    .map((r) => (r.length > 2 ? `${dayNames[r[0]!]}-${dayNames[r.at(-1)!]}` : r.map((d) => dayNames[d]).join(',')))
    .join(',');
  return `${days} ${w.from}-${w.to} ${w.timezone}`;
}

function cron(time: string, days: number[], timezone: string): Cron {
  const [h, m] = time.split(':').map(Number);
  return new Cron(`${m} ${h} * * ${days.join(',')}`, { paused: true, timezone });
}

function crons(w: DeploymentWindow): { open: Cron; close: Cron } {
  // 24:00 is the next day's midnight.
  const close =
    w.to === '24:00'
      ? cron(
          '00:00',
          w.days.map((d) => (d + 1) % 7),
          w.timezone,
        )
      : cron(w.to, w.days, w.timezone);
  return { open: cron(w.from, w.days, w.timezone), close };
}

/** Whether `at` is inside one of the windows (always true when there are none). */
export function inWindow(windows: readonly DeploymentWindow[], at: Date): boolean {
  if (windows.length === 0) return true;
  // previousRuns looks strictly before its date: +1 ms counts an opening at `at` itself (and a closing at `at`).
  const after = new Date(at.getTime() + 1);
  return windows.some((w) => {
    const { open, close } = crons(w);
    const opened = open.previousRuns(1, after)[0];
    const closed = close.previousRuns(1, after)[0];
    // Equal: it closed and opened again at the same instant (00:00-24:00 on consecutive days).
    return opened !== undefined && (closed === undefined || opened >= closed);
  });
}

/** When the window `at` is inside closes (the latest, when several hold it); undefined outside every window. */
export function windowClosesAt(windows: readonly DeploymentWindow[], at: Date): Date | undefined {
  let closes: Date | undefined;
  for (const w of windows) {
    if (!inWindow([w], at)) continue;
    const next = crons(w).close.nextRun(at) ?? undefined;
    if (next && (!closes || next > closes)) closes = next;
  }
  return closes;
}

export interface NextWindow {
  opensAt: Date;
  closesAt: Date;
  /** The window as configured, for messages. */
  window: string;
}

/** The next opening after `at` among the windows (null without windows). */
export function nextWindow(windows: readonly DeploymentWindow[], at: Date): NextWindow | null {
  let next: NextWindow | null = null;
  for (const w of windows) {
    const { open, close } = crons(w);
    const opensAt = open.nextRun(at);
    if (!opensAt || (next && opensAt >= next.opensAt)) continue;
    next = { opensAt, closesAt: close.nextRun(opensAt)!, window: describeWindow(w) };
  }
  return next;
}

/** Why a deployment may not start at `at`, with the next opening; undefined when it may. */
export function outsideWindows(
  environment: { name: string; windows?: DeploymentWindow[] },
  at: Date,
): { message: string; next: NextWindow } | undefined {
  const windows = environment.windows ?? [];
  if (inWindow(windows, at)) return undefined;
  const next = nextWindow(windows, at)!;
  const all = windows.map(describeWindow).join('; ');
  return {
    message:
      `${environment.name} takes deployments only in its windows (${all}); the next opens at ` +
      `${next.opensAt.toISOString()} (${next.window}, until ${next.closesAt.toISOString()})`,
    next,
  };
}
