/**
 * Freeze windows: is an environment frozen now, until when, and why. Recurring windows start at
 * each cron occurrence in their time zone (croner handles DST) and last `durationMs`.
 */
import { Cron } from 'croner';
import type { FreezeWindow } from '../../config/model.js';

export interface ActiveFreeze {
  message: string;
  startedAt: Date;
  endsAt: Date;
  /** The window as configured, for messages: `cron "0 16 * * 5" Europe/London for 64h` or `from … until …`. */
  window: string;
}

/** The freeze in force at `now` (the one ending last when windows overlap), or null. */
export function activeFreeze(freezes: FreezeWindow[], now: Date): ActiveFreeze | null {
  let found: ActiveFreeze | null = null;
  for (const freeze of freezes) {
    const active = freeze.kind === 'once' ? onceActive(freeze, now) : recurringActive(freeze, now);
    if (active && (!found || active.endsAt > found.endsAt)) found = active;
  }
  return found;
}

/** The next freeze to start after `now`, for status views. */
export function nextFreeze(
  freezes: FreezeWindow[],
  now: Date,
): { message: string; startsAt: Date; endsAt: Date } | null {
  let next: { message: string; startsAt: Date; endsAt: Date } | null = null;
  for (const freeze of freezes) {
    const startsAt =
      freeze.kind === 'once'
        ? freeze.from > now.getTime()
          ? new Date(freeze.from)
          : null
        : cronOf(freeze).nextRun(now);
    if (!startsAt) continue;
    const endsAt = new Date(freeze.kind === 'once' ? freeze.until : startsAt.getTime() + freeze.durationMs);
    if (!next || startsAt < next.startsAt) next = { message: freeze.message, startsAt, endsAt };
  }
  return next;
}

function onceActive(freeze: Extract<FreezeWindow, { kind: 'once' }>, now: Date): ActiveFreeze | null {
  if (now.getTime() < freeze.from || now.getTime() >= freeze.until) return null;
  return {
    message: freeze.message,
    startedAt: new Date(freeze.from),
    endsAt: new Date(freeze.until),
    window: `from ${new Date(freeze.from).toISOString()} until ${new Date(freeze.until).toISOString()}`,
  };
}

function recurringActive(freeze: Extract<FreezeWindow, { kind: 'recurring' }>, now: Date): ActiveFreeze | null {
  // previousRuns looks strictly before `now`; a window starting this very millisecond counts too.
  const starts = [...cronOf(freeze).previousRuns(1, new Date(now.getTime() + 1))];
  const startedAt = starts[0];
  if (!startedAt || now.getTime() >= startedAt.getTime() + freeze.durationMs) return null;
  return {
    message: freeze.message,
    startedAt,
    endsAt: new Date(startedAt.getTime() + freeze.durationMs),
    window: `cron "${freeze.cron}" ${freeze.timezone} for ${formatHours(freeze.durationMs)}`,
  };
}

function cronOf(freeze: Extract<FreezeWindow, { kind: 'recurring' }>): Cron {
  return new Cron(freeze.cron, { paused: true, timezone: freeze.timezone });
}

function formatHours(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}
