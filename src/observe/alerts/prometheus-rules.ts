import { stringify } from 'yaml';
import type { ProjectConfig } from '../../config/model.js';
import { type AlertRule, type RuleName, rulesFor } from './rules.js';

/**
 * PromQL for each rule, on metrics a team's Prometheus has: the built-in proxy's
 * slipway_proxy_* (its /metrics), postgres_exporter's pg_up, the process_resident_memory_bytes
 * that Prometheus client libraries export, node_exporter's filesystem gauges and the blackbox
 * exporter's probe_ssl_earliest_cert_expiry. The baseline of the traffic rules is the same window
 * an hour earlier (Slipway itself compares with the previous release before its rollout).
 */
const expressions: Record<RuleName, (s: Scope, t: number) => string | undefined> = {
  'api-latency-p95': (s, t) => `${p95(s, '')} > ${t} * ${p95(s, ' offset 1h')}`,
  'error-rate': (s, t) =>
    `${ratio(s, 'class=~"5xx|proxyError"', '')} > ${t} * ${ratio(s, 'class=~"5xx|proxyError"', ' offset 1h')}`,
  // The proxy counts by status class: 4xx stands in for 401/403 here (Slipway's own rule counts exactly 401/403).
  // Its other half, SDK auth error events, is in Slipway's store: Slipway evaluates that one itself.
  'auth-failures': (s, t) => `${ratio(s, 'class="4xx"', '')} > ${t} * ${ratio(s, 'class="4xx"', ' offset 1h')}`,
  'database-unreachable': (s, t) => (s.database ? `pg_up{environment="${s.environment}"} <= ${t}` : undefined),
  'instance-memory': (s, t) =>
    s.memoryBytes ? `process_resident_memory_bytes{service="${s.service}"} / ${s.memoryBytes} > ${t}` : undefined,
  'disk-usage': (s, t) =>
    s.volumes.length > 0
      ? `1 - node_filesystem_avail_bytes{mountpoint=~"${s.volumes.map(escapeRegex).join('|')}"} / ` +
        `node_filesystem_size_bytes{mountpoint=~"${s.volumes.map(escapeRegex).join('|')}"} > ${t}`
      : undefined,
  'tls-certificate-expiry': (s, t) =>
    s.tls.length > 0
      ? `(probe_ssl_earliest_cert_expiry{instance=~"${s.tls.map(escapeRegex).join('|')}"} - time()) / 86400 < ${t}`
      : undefined,
  // SDK errors are in Slipway's store, not in a Prometheus: these stay with Slipway's own evaluation.
  'error-users-share': () => undefined,
  'error-events': () => undefined,
  'error-new-issue': () => undefined,
  'error-regressed-issue': () => undefined,
};

/** Summaries of rules whose exported expression watches less than Slipway does (auth-failures: not the SDK half). */
const exportedSummaries: Partial<Record<RuleName, string>> = {
  'auth-failures': 'share of 4xx answers at the proxy above {threshold}× the baseline',
};

interface Scope {
  dataPlane: string;
  environment: string;
  service: string;
  memoryBytes?: number;
  volumes: string[];
  tls: string[];
  database: boolean;
}

const selector = (s: Scope) => `environment="${s.dataPlane}",service="${s.service}"`;
const p95 = (s: Scope, offset: string) =>
  'histogram_quantile(0.95, sum by (le) ' +
  `(rate(slipway_proxy_request_duration_seconds_bucket{${selector(s)}}[5m]${offset})))`;
const ratio = (s: Scope, which: string, offset: string) =>
  `(sum(rate(slipway_proxy_requests_total{${selector(s)},${which}}[5m]${offset})) / ` +
  `sum(rate(slipway_proxy_requests_total{${selector(s)}}[5m]${offset})))`;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

/** Prometheus's duration format (1m30s, 2h, 0s). */
function promDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

/**
 * The project's alert rules as a Prometheus rules file: one group per environment, one rule per
 * rule and service (environment-wide ones once), with the same `for`, `keep_firing_for`,
 * thresholds and severity labels as Slipway evaluates. `promtool check rules` accepts it.
 */
export function prometheusRules(config: ProjectConfig): string {
  const groups = config.environments.map((env) => {
    const rules = env.alerts?.enabled === false ? [] : rulesFor(env.alerts);
    const entries: Record<string, unknown>[] = [];
    for (const rule of rules) {
      const perEnvironment = rule.name === 'database-unreachable' || rule.name === 'tls-certificate-expiry';
      const services = perEnvironment
        ? [config.database?.service ?? config.services[0]!.name]
        : config.services.map((s) => s.name);
      for (const service of services) {
        const declared = config.services.find((s) => s.name === service);
        const scope: Scope = {
          dataPlane: `${config.project}.${env.name}`,
          environment: env.name,
          service,
          ...(declared?.resources?.memoryBytes ? { memoryBytes: declared.resources.memoryBytes } : {}),
          volumes: declared?.resources?.volumes ?? [],
          tls: env.alerts?.tls ?? [],
          database: config.database !== undefined,
        };
        const expr = expressions[rule.name as RuleName](scope, rule.threshold);
        if (expr) entries.push(entry(rule, expr, scope, perEnvironment));
      }
    }
    return { name: `slipway-${config.project}-${env.name}`, rules: entries };
  });
  return stringify({ groups: groups.filter((g) => g.rules.length > 0) }, { lineWidth: 0 });
}

function entry(rule: AlertRule, expr: string, s: Scope, perEnvironment: boolean): Record<string, unknown> {
  return {
    alert: rule.name,
    expr,
    for: promDuration(rule.forMs),
    ...(rule.keepFiringForMs > 0 ? { keep_firing_for: promDuration(rule.keepFiringForMs) } : {}),
    labels: { severity: rule.severity, environment: s.environment, ...(perEnvironment ? {} : { service: s.service }) },
    annotations: {
      summary: (exportedSummaries[rule.name as RuleName] ?? rule.summary).replace(
        '{threshold}',
        String(rule.threshold),
      ),
    },
  };
}
