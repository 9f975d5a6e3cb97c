import { createHash } from 'node:crypto';
import type { ActiveAlert, Observation } from './alert-state.js';
import type { AlertReading, AlertTarget } from './reader.js';
import { type AlertRule, breaches, thresholdOf, watches } from './rules.js';

/** A reading with the target it was read for. */
export interface TargetedReading {
  target: AlertTarget;
  reading: AlertReading;
}

/** What one round saw for one rule and label set, with the identity its alert would have. */
export interface RuleObservation {
  identity: Pick<ActiveAlert, 'fingerprint' | 'rule' | 'severity' | 'labels' | 'groupKey'>;
  rule: AlertRule;
  seen: Observation;
  /** For people: what was measured. */
  detail?: string;
}

/** Same labels, same fingerprint, whatever their order. */
export function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/**
 * Match readings to rules: every reading a rule names becomes an observation, labelled like a
 * Prometheus alert (alertname, severity, project, environment, service, release + the reading's
 * own labels) and grouped by project/environment/service. Readings that failed are observations
 * of a clear condition: they never fire.
 */
export function observe(rules: AlertRule[], readings: TargetedReading[]): RuleObservation[] {
  const out: RuleObservation[] = [];
  for (const rule of rules) {
    for (const { target, reading } of readings) {
      if (!watches(rule, reading)) continue;
      const service = target.service || reading.labels.service || '';
      const labels: Record<string, string> = {
        alertname: rule.name,
        severity: rule.severity,
        project: target.project,
        environment: target.environment,
        ...(service ? { service } : {}),
        ...(target.release ? { release: target.release } : {}),
        ...reading.labels,
      };
      const identity = {
        fingerprint: fingerprintOf(labels),
        rule: rule.name,
        severity: rule.severity,
        labels,
        groupKey: `${target.project}/${target.environment}/${service}`,
      };
      if (reading.phase !== 'ok') {
        out.push({ identity, rule, seen: { breached: false }, detail: reading.message });
        continue;
      }
      const threshold = thresholdOf(rule, reading.baseline);
      const seen: Observation =
        threshold === undefined
          ? { breached: false, value: reading.value }
          : breaches(rule, reading.value, threshold)
            ? { breached: true, value: reading.value, threshold }
            : { breached: false, value: reading.value, threshold };
      out.push({ identity, rule, seen, ...(reading.detail ? { detail: reading.detail } : {}) });
    }
  }
  return out;
}
