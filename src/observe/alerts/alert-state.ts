import type { AlertRule } from './rules.js';

/** An active alert (pending or firing); inactive and resolved ones are not kept. */
export interface ActiveAlert {
  /** rule + labels, stable across rounds. */
  fingerprint: string;
  rule: string;
  severity: AlertRule['severity'];
  /** Every label, alertname and severity included. */
  labels: Record<string, string>;
  groupKey: string;
  state: 'pending' | 'firing';
  /** When the condition first held (Prometheus's activeAt). */
  activeSince: number;
  firedAt?: number;
  /** The last round the condition held. */
  lastBreachAt: number;
  value: number;
  threshold: number;
  /** The last `alert.firing` event; undefined while it was never announced (muted since it fired). */
  lastNotifiedAt?: number;
  /** Why it is not announced: a silence id, or `inhibited by <fingerprint>`. */
  mutedBy?: string;
}

/** What one round saw for one rule and label set: a breach, a reading within bounds, or nothing usable. */
export type Observation =
  | { breached: true; value: number; threshold: number }
  | { breached: false; value?: number; threshold?: number };

export type Transition = 'pending' | 'firing' | 'resolved' | 'cleared' | undefined;

/**
 * One round of a rule for one label set, as Prometheus evaluates it: a breach starts `pending`,
 * which fires once it has held `for`; a firing alert whose condition cleared keeps firing for
 * `keepFiringFor` and then resolves; a pending one that clears is dropped (`cleared`). A reading
 * that failed (phase error / nodata) counts as a clear condition, never as a breach.
 */
export function advance(
  prev: ActiveAlert | undefined,
  seen: Observation,
  rule: Pick<AlertRule, 'forMs' | 'keepFiringForMs'>,
  now: number,
  identity: Pick<ActiveAlert, 'fingerprint' | 'rule' | 'severity' | 'labels' | 'groupKey'>,
): { next: ActiveAlert | undefined; transition: Transition } {
  if (seen.breached) {
    const base: ActiveAlert = prev
      ? { ...prev, lastBreachAt: now, value: seen.value, threshold: seen.threshold }
      : {
          ...identity,
          state: 'pending',
          activeSince: now,
          lastBreachAt: now,
          value: seen.value,
          threshold: seen.threshold,
        };
    if (base.state === 'pending' && now - base.activeSince >= rule.forMs)
      return { next: { ...base, state: 'firing', firedAt: now }, transition: 'firing' };
    return { next: base, transition: prev ? undefined : 'pending' };
  }
  if (!prev) return { next: undefined, transition: undefined };
  if (prev.state === 'pending') return { next: undefined, transition: 'cleared' };
  const updated = {
    ...prev,
    ...(seen.value !== undefined ? { value: seen.value } : {}),
    ...(seen.threshold !== undefined ? { threshold: seen.threshold } : {}),
  };
  if (now - prev.lastBreachAt < rule.keepFiringForMs) return { next: updated, transition: undefined };
  return { next: undefined, transition: 'resolved' };
}

/**
 * Should a firing alert be announced now (an `alert.firing` event)? When it was not yet, and
 * again every `repeatIntervalMs`; never while muted (a silence or an inhibiting critical).
 */
export function dueForAnnouncement(alert: ActiveAlert, now: number, repeatIntervalMs: number): boolean {
  if (alert.state !== 'firing' || alert.mutedBy) return false;
  return alert.lastNotifiedAt === undefined || now - alert.lastNotifiedAt >= repeatIntervalMs;
}
