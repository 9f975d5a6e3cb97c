import type { NewEvent } from '../../store/repos/events.js';
import type { ActiveAlert } from './alert-state.js';

/** What `alert.firing` and `alert.resolved` carry (other capabilities follow these events: keep the fields). */
export function alertEventData(a: ActiveAlert): Record<string, unknown> {
  return {
    rule: a.rule,
    severity: a.severity,
    groupKey: a.groupKey,
    labels: a.labels,
    value: a.value,
    threshold: a.threshold,
    startsAt: new Date(a.firedAt ?? a.activeSince).toISOString(),
  };
}

/** How a value reads in a message: ratios as percentages, the rest with up to 3 significant digits. */
export function formatValue(reading: string, value: number): string {
  if (reading.endsWith('_ratio')) return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
  if (reading.endsWith('_ms')) return `${Math.round(value)} ms`;
  if (reading === 'tls_days_left') return `${value} days`;
  return `${Number(value.toPrecision(3))}`;
}

/** One line for people: "critical api-latency-p95 on api (staging): 412 ms, threshold 80 ms". */
export function describeAlert(a: ActiveAlert, reading: string, summary: string): string {
  const where = a.labels.service ? `${a.labels.service} (${a.labels.environment})` : (a.labels.environment ?? '');
  const which = ['instance', 'volume', 'endpoint']
    .filter((k) => a.labels[k])
    .map((k) => ` ${a.labels[k]}`)
    .join('');
  return (
    `${a.severity} ${a.rule} on ${where}${which}: ${summary} — ${formatValue(reading, a.value)}, ` +
    `threshold ${formatValue(reading, a.threshold)}`
  );
}

/** The event for an alert's announcement or its end. */
export function alertEvent(
  kind: 'alert.firing' | 'alert.resolved',
  a: ActiveAlert,
  reading: string,
  summary: string,
): NewEvent {
  const text = describeAlert(a, reading, summary);
  return {
    project: a.labels.project,
    environment: a.labels.environment,
    ...(a.labels.service ? { service: a.labels.service } : {}),
    kind,
    message: kind === 'alert.firing' ? `firing: ${text}` : `resolved: ${text}`,
    data: alertEventData(a),
  };
}
