import { messageOf } from '../../shared/errors.js';
import { invalidOption } from '../errors.js';
import { abortMessage, errorMeasurement, noDataMeasurement } from '../measurement.js';
import type { Measurement, SignalQuery, SignalSource } from '../signal-source.js';
import { PrometheusClient } from './prometheus-client.js';
import { promqlDuration, renderQuery, unknownPlaceholders } from './query-template.js';
import type { QueryOutcome } from './query-result.js';

/** One metric: a PromQL query template that yields one number per release. */
export interface PrometheusMetric {
  /** Metric name in measurements and verdicts, e.g. "error-rate". */
  name: string;
  /** PromQL with `{release}`, `{service}`, `{environment}`, `{project}`, `{window}` placeholders; must give one series.
   * */
  query: string;
  /** Which way is bad (default true: a higher candidate value is worse). */
  higherIsWorse?: boolean;
  /** Unit shown to people ("ratio", "s"…). */
  unit?: string;
}

/** Where Prometheus is and what to ask it. */
export interface PrometheusSignalSourceConfig {
  /** Base URL of the server, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  address: string;
  metrics: PrometheusMetric[];
  /** Per query (default 5,000 ms). */
  timeoutMs?: number;
}

/**
 * PromQL over Prometheus' HTTP API: each metric is queried for the candidate and the stable
 * release at the window's end (and for the stable release at `baselineUntil`, its baseline),
 * with `{window}` the window's length. A failing, empty or NaN result is a measurement with
 * phase error or nodata carrying Prometheus' message; an unreachable server names its address.
 *
 * @example
 * new PrometheusSignalSource({ address: 'http://127.0.0.1:9090', metrics: [{ name: 'error-rate',
 * query: 'sum(rate(http_requests_total{release="{release}",code=~"5.."}[{window}])) /
 * sum(rate(http_requests_total{release="{release}"}[{window}]))' }] })
 */
export class PrometheusSignalSource implements SignalSource {
  readonly name = 'prometheus';
  private readonly client: PrometheusClient;
  private readonly metrics: PrometheusMetric[];
  private closed = false;

  constructor(config: PrometheusSignalSourceConfig) {
    const timeoutMs = config.timeoutMs ?? 5_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      invalidOption('prometheus source: timeoutMs', `expected a positive number of ms, got ${config.timeoutMs}`);
    if (!Array.isArray(config.metrics) || config.metrics.length === 0)
      invalidOption('prometheus source: metrics', 'expected at least one metric');
    const names = new Set<string>();
    config.metrics.forEach((m, i) => {
      const where = `prometheus source: metrics[${i}]`;
      if (typeof m?.name !== 'string' || m.name === '') invalidOption(`${where}.name`, 'expected a metric name');
      if (names.has(m.name)) invalidOption(`${where}.name`, `"${m.name}" is used by another metric`);
      names.add(m.name);
      if (typeof m.query !== 'string' || m.query.trim() === '')
        invalidOption(`${where}.query`, 'expected a PromQL query');
      const unknown = unknownPlaceholders(m.query);
      if (unknown.length > 0)
        invalidOption(
          `${where}.query`,
          `unknown placeholder ${unknown.join(', ')}; known: {release}, {service}, {environment}, {project}, {window}`,
        );
    });
    this.metrics = config.metrics.map((m) => ({ ...m }));
    this.client = new PrometheusClient(config.address, timeoutMs);
  }

  /** Query every metric (all queries at once). Never throws. */
  async measure(query: SignalQuery, signal?: AbortSignal): Promise<Measurement[]> {
    return Promise.all(this.metrics.map((metric) => this.measureMetric(metric, query, signal)));
  }

  /** Close the connection pool. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    return this.client.close();
  }

  private async measureMetric(
    metric: PrometheusMetric,
    query: SignalQuery,
    signal: AbortSignal | undefined,
  ): Promise<Measurement> {
    if (signal?.aborted) return errorMeasurement(this.name, metric.name, query, abortMessage(signal));
    if (this.closed) return errorMeasurement(this.name, metric.name, query, 'the prometheus signal source is closed');
    if (!(query.to > query.from))
      return errorMeasurement(
        this.name,
        metric.name,
        query,
        `the window is empty (from ${query.from} is not before to ${query.to})`,
      );
    const window = promqlDuration(query.to - query.from);
    const ask = (release: string, at: number): Promise<QueryOutcome> => {
      let promql: string;
      try {
        promql = renderQuery(metric.query, {
          release,
          service: query.service,
          environment: query.environment,
          project: query.project,
          window,
        });
      } catch (e) {
        return Promise.resolve({ phase: 'error', message: `metric ${metric.name}: ${messageOf(e)}` });
      }
      return this.client.query(promql, at, signal);
    };
    const [candidate, stable, baseline] = await Promise.all([
      ask(query.candidate, query.to),
      ask(query.stable, query.to),
      // A baseline needs stable traffic before the deployment: only ask when there was a "before".
      query.baselineUntil > 0 && query.baselineUntil <= query.to ? ask(query.stable, query.baselineUntil) : undefined,
    ]);
    const failed = describe([
      ['candidate', query.candidate, candidate],
      ['stable', query.stable, stable],
    ]);
    if (candidate.phase === 'error' || stable.phase === 'error')
      return errorMeasurement(this.name, metric.name, query, failed);
    if (candidate.phase === 'nodata' || stable.phase === 'nodata')
      return noDataMeasurement(this.name, metric.name, query, failed);
    return {
      metric: metric.name,
      source: this.name,
      from: query.from,
      to: query.to,
      phase: 'ok',
      kind: 'value',
      candidate: candidate.value,
      stable: stable.value,
      // A baseline that cannot be had is left out: the judge then compares with stable only.
      ...(baseline?.phase === 'ok' ? { baseline: baseline.value } : {}),
      ...(metric.unit !== undefined ? { unit: metric.unit } : {}),
      higherIsWorse: metric.higherIsWorse ?? true,
    };
  }
}

/** "candidate 2.0.0: <message>; stable 1.0.0: <message>" for the releases that did not give a number, said once when
 * both failed alike. */
function describe(outcomes: [role: string, release: string, outcome: QueryOutcome][]): string {
  const bad = outcomes.filter(([, , o]) => o.phase !== 'ok') as [
    string,
    string,
    Exclude<QueryOutcome, { phase: 'ok' }>,
  ][];
  // Errors first: they are what the judge reports when there are both.
  bad.sort((a, b) => (a[2].phase === b[2].phase ? 0 : a[2].phase === 'error' ? -1 : 1));
  if (bad.length === 2 && bad[0]![2].message === bad[1]![2].message) return bad[0]![2].message;
  return bad.map(([role, release, o]) => `${role} ${release}: ${o.message}`).join('; ');
}
