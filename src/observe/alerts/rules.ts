import type { AlertRuleOverride, EnvironmentAlerts } from '../../config/model.js';
import { configDuration } from '../../shared/config-duration.js';

export type Severity = 'critical' | 'warning';

/**
 * An alert rule: a reading compared with a threshold, held `for` a while before it fires
 * (Prometheus's `for`), kept firing `keepFiringFor` after the condition clears (against flapping).
 */
export interface AlertRule {
  name: string;
  severity: Severity;
  /** The reading it watches (reader.ts). */
  reading: string;
  comparison: 'above' | 'below';
  /** `baseline`: threshold = factor × the reading's baseline; `absolute`: the number itself. */
  relativeTo: 'baseline' | 'absolute';
  threshold: number;
  forMs: number;
  keepFiringForMs: number;
  /** One line for people, with {threshold} (and {window} for the rules that count over one). */
  summary: string;
  /** The rules that count over a recent window (error events, users affected): its length. */
  windowMs?: number;
  /**
   * More readings that raise this rule, by the `source` label that tells their alerts apart from the main reading's
   * (auth-failures: `sdk` → auth_error_events, the SDK error events that are authentication failures).
   */
  also?: Record<string, string>;
}

/** The rule names slipway.yaml accepts under `alerts.rules`. */
export const ruleNames = [
  'api-latency-p95',
  'database-unreachable',
  'auth-failures',
  'error-rate',
  'instance-memory',
  'disk-usage',
  'tls-certificate-expiry',
  'error-users-share',
  'error-events',
  'error-new-issue',
  'error-regressed-issue',
] as const;
export type RuleName = (typeof ruleNames)[number];

const m = 60_000;

/**
 * The seed's rules. Critical: p95 above 2× the baseline, the database unreachable, a spike of
 * 401/403 (or of SDK auth error events). Warning: error rate 50 % above the baseline, memory above 80 % of the
 * limit, disk above 85 %, a certificate expiring within 30 days. The `for` of the traffic rules is 30s so that a
 * regression is caught well within the seed's 5 minutes (the bench measures how fast).
 */
export const defaultRules: Record<RuleName, AlertRule> = {
  'api-latency-p95': {
    name: 'api-latency-p95',
    severity: 'critical',
    reading: 'latency_p95_ms',
    comparison: 'above',
    relativeTo: 'baseline',
    threshold: 2,
    forMs: 30_000,
    keepFiringForMs: 2 * m,
    summary: 'API p95 above {threshold}× the baseline',
  },
  'database-unreachable': {
    name: 'database-unreachable',
    severity: 'critical',
    reading: 'database_probe_failed',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 0,
    forMs: 30_000,
    keepFiringForMs: m,
    summary: 'database connection failing or timing out',
  },
  'auth-failures': {
    name: 'auth-failures',
    severity: 'critical',
    reading: 'auth_failure_ratio',
    comparison: 'above',
    relativeTo: 'baseline',
    threshold: 5,
    forMs: 30_000,
    keepFiringForMs: 2 * m,
    summary: 'share of 401/403 answers, or auth error events from the SDKs, above {threshold}× the baseline',
    also: { sdk: 'auth_error_events' },
  },
  'error-rate': {
    name: 'error-rate',
    severity: 'warning',
    reading: 'error_ratio',
    comparison: 'above',
    relativeTo: 'baseline',
    threshold: 1.5,
    forMs: m,
    keepFiringForMs: 2 * m,
    summary: 'error rate above {threshold}× the baseline',
  },
  'instance-memory': {
    name: 'instance-memory',
    severity: 'warning',
    reading: 'memory_limit_ratio',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 0.8,
    forMs: 5 * m,
    keepFiringForMs: m,
    summary: 'instance memory above {threshold} of its limit',
  },
  'disk-usage': {
    name: 'disk-usage',
    severity: 'warning',
    reading: 'disk_used_ratio',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 0.85,
    forMs: 5 * m,
    keepFiringForMs: m,
    summary: 'disk of a volume the service uses above {threshold} full',
  },
  'tls-certificate-expiry': {
    name: 'tls-certificate-expiry',
    severity: 'warning',
    reading: 'tls_days_left',
    comparison: 'below',
    relativeTo: 'absolute',
    threshold: 30,
    forMs: 0,
    keepFiringForMs: 0,
    summary: 'TLS certificate expires in less than {threshold} days',
  },
  // The error rules read what the Sentry SDKs of the live release reported (error ingest).
  'error-users-share': {
    name: 'error-users-share',
    severity: 'critical',
    reading: 'error_users_share',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 0.05,
    windowMs: 60 * m,
    forMs: m,
    keepFiringForMs: 5 * m,
    summary: 'SDK errors affected more than {threshold} of the users in {window}',
  },
  'error-events': {
    name: 'error-events',
    severity: 'warning',
    reading: 'error_events',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 100,
    windowMs: 5 * m,
    forMs: 0,
    keepFiringForMs: m,
    summary: 'more than {threshold} SDK error events in {window}',
  },
  'error-new-issue': {
    name: 'error-new-issue',
    severity: 'warning',
    reading: 'error_issue_new',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 0,
    forMs: 0,
    keepFiringForMs: 0,
    summary: 'a new issue in the live release (first seen in it)',
  },
  'error-regressed-issue': {
    name: 'error-regressed-issue',
    severity: 'warning',
    reading: 'error_issue_regressed',
    comparison: 'above',
    relativeTo: 'absolute',
    threshold: 0,
    forMs: 0,
    keepFiringForMs: 0,
    summary: 'a resolved issue seen again in the live release',
  },
};

/** The rules that count over a window (`window:` in slipway.yaml); the others refuse one. */
export const windowedRules: RuleName[] = ['error-users-share', 'error-events'];

/** An environment's rules: the seed's, with its overrides applied and disabled ones left out. */
export function rulesFor(alerts: EnvironmentAlerts | undefined): AlertRule[] {
  const overrides: Partial<Record<RuleName, AlertRuleOverride>> = alerts?.rules ?? {};
  return ruleNames.flatMap((name) => {
    const o = overrides[name];
    if (o?.enabled === false) return [];
    const rule = defaultRules[name];
    return [
      {
        ...rule,
        ...(o?.threshold !== undefined ? { threshold: o.threshold } : {}),
        ...(o?.forMs !== undefined ? { forMs: o.forMs } : {}),
        ...(o?.keepFiringForMs !== undefined ? { keepFiringForMs: o.keepFiringForMs } : {}),
        ...(o?.windowMs !== undefined && rule.windowMs !== undefined ? { windowMs: o.windowMs } : {}),
      },
    ];
  });
}

/** Is the value past the rule's threshold? */
export function breaches(rule: AlertRule, value: number, threshold: number): boolean {
  return rule.comparison === 'above' ? value > threshold : value < threshold;
}

/** The threshold a reading is compared with; undefined when the rule needs a baseline the reading lacks. */
export function thresholdOf(rule: AlertRule, baseline: number | undefined): number | undefined {
  if (rule.relativeTo === 'absolute') return rule.threshold;
  return baseline === undefined ? undefined : rule.threshold * baseline;
}

/** What a rule's value and threshold count, so people see "0.9 days" and "12 %" rather than bare numbers. */
export type ReadingUnit = 'ms' | 'ratio' | 'days' | 'count';
const readingUnits: Record<string, ReadingUnit> = {
  latency_p95_ms: 'ms',
  auth_failure_ratio: 'ratio',
  error_ratio: 'ratio',
  memory_limit_ratio: 'ratio',
  disk_used_ratio: 'ratio',
  error_users_share: 'ratio',
  tls_days_left: 'days',
};

/** The reading an alert of `rule` with these labels compares: the rule's own, or one of its `also` by source. */
export function readingOf(rule: AlertRule, labels: Record<string, string>): string {
  return (labels.source !== undefined && rule.also?.[labels.source]) || rule.reading;
}

/** Does the rule watch this reading (its own, or one of `also` with the matching source label)? */
export function watches(rule: AlertRule, reading: { name: string; labels: Record<string, string> }): boolean {
  if (reading.name === rule.reading) return true;
  return reading.labels.source !== undefined && rule.also?.[reading.labels.source] === reading.name;
}

/** The unit of the reading a rule compares (a count for the readings that count things). */
export function unitOf(reading: string): ReadingUnit {
  return readingUnits[reading] ?? 'count';
}

/** The rule's one line for people, its threshold and window filled in. */
export function summaryOf(rule: AlertRule): string {
  return rule.summary
    .replace('{threshold}', String(rule.threshold))
    .replace('{window}', rule.windowMs ? configDuration(rule.windowMs) : '');
}

/** The rule an alert was raised by: the environment's as configured, else the seed's (a rule no longer configured). */
export function ruleOf(name: string, rules: AlertRule[]): AlertRule | undefined {
  return rules.find((r) => r.name === name) ?? defaultRules[name as RuleName];
}
