import type { ActiveAlert } from './alert-state.js';
import { matchesAll, type Matcher } from './matchers.js';

/** A silence in force: alerts its matchers accept are not announced until it ends. */
export interface ActiveSilence {
  id: string;
  matchers: Matcher[];
}

/**
 * Why each alert is muted, Alertmanager's way: a firing critical inhibits the warnings of its
 * group (the same service in the same environment), then a silence whose matchers all accept
 * the alert's labels mutes it. Returns the alerts with `mutedBy` set or cleared.
 */
export function applyMuting(alerts: ActiveAlert[], silences: ActiveSilence[]): ActiveAlert[] {
  const criticalOf = new Map<string, string>();
  for (const a of alerts)
    if (a.state === 'firing' && a.severity === 'critical' && !criticalOf.has(a.groupKey))
      criticalOf.set(a.groupKey, a.rule);
  return alerts.map((a) => {
    const inhibitor = a.severity === 'warning' ? criticalOf.get(a.groupKey) : undefined;
    const silence = silences.find((s) => matchesAll(s.matchers, a.labels));
    const mutedBy = inhibitor ? `inhibited by ${inhibitor}` : silence ? `silence ${silence.id}` : undefined;
    const { mutedBy: _, ...rest } = a;
    return mutedBy ? { ...rest, mutedBy } : rest;
  });
}
