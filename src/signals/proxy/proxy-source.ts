import type { Router, SamplesPage } from '../../traffic/router.js';
import { messageOf } from '../../shared/errors.js';
import { invalidOption } from '../errors.js';
import { abortMessage, errorMeasurement, unlessAborted } from '../measurement.js';
import type { Measurement, SignalQuery, SignalSource } from '../signal-source.js';
import { emptyWindow, ReleaseRequests } from './release-requests.js';

/** How to reach the samples of one service on the built-in proxy. */
export interface ProxySignalSourceOptions {
  /** Only `samples` is used. */
  router: Pick<Router, 'samples'>;
  /** The data-plane environment name (the engine names it `${project}.${environment}`). */
  environment: string;
  service: string;
  /** Latencies kept per release, a uniform subsample beyond (default 20,000). */
  maxLatenciesPerRelease?: number;
  /** Finish times kept per release for exact counts, 8 bytes each (default 1,000,000). */
  maxRequestsPerRelease?: number;
  /** Uniform in [0, 1) for subsampling (default Math.random). */
  random?: () => number;
}

/** The proxy's `requests` measurement, plus how many samples the source could not read. */
export type ProxyRequestsMeasurement = Extract<Measurement, { kind: 'requests' }> & {
  /**
   * Requests the proxy dropped from its buffers before this source read them (it fell behind),
   * since its first read; they are missing from the counts. 0 normally.
   */
  missed: number;
};

/**
 * The built-in proxy's per-release traffic, read as raw samples: each `measure` reads the
 * samples since its cursor (the first reads the proxy's last 4,096 per release, which gives
 * the stable release's baseline) and accumulates them, so the engine's once-a-second calls
 * see every request. Errors are status >= 500 or the proxy's own 502/503/504.
 *
 * @example
 * const source = new ProxySignalSource({ router, environment: 'harbor.production', service: 'quote-api' });
 * const [requests] = await source.measure(query); // phase ok, kind requests: candidate, stable, baseline
 */
export class ProxySignalSource implements SignalSource {
  readonly name = 'proxy';
  private readonly releases = new Map<string, ReleaseRequests>();
  private cursor = 0;
  private startedAt: number | undefined;
  private missed = 0;
  /** Reads run one at a time, so two overlapping calls never ingest a page twice. */
  private reading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ProxySignalSourceOptions) {
    if (!options.router || typeof options.router.samples !== 'function')
      invalidOption('proxy source: router', 'expected a Router (with samples())');
    if (!options.environment) invalidOption('proxy source: environment', 'expected the data-plane environment name');
    if (!options.service) invalidOption('proxy source: service', 'expected a service name');
    for (const key of ['maxLatenciesPerRelease', 'maxRequestsPerRelease'] as const) {
      const v = options[key];
      if (v !== undefined && (!Number.isInteger(v) || v < 1))
        invalidOption(`proxy source: ${key}`, `expected a positive integer, got ${v}`);
    }
  }

  /** Read the new samples, then count the window. Never throws. */
  async measure(query: SignalQuery, signal?: AbortSignal): Promise<Measurement[]> {
    const where = `service ${this.options.service} in ${this.options.environment}`;
    if (this.closed)
      return [errorMeasurement(this.name, 'requests', query, `the proxy signal source for ${where} is closed`)];
    if (signal?.aborted) return [errorMeasurement(this.name, 'requests', query, abortMessage(signal))];
    const read = this.reading.then(() => this.read());
    this.reading = read.catch(() => undefined);
    try {
      await unlessAborted(read, signal);
    } catch (e) {
      if (signal?.aborted) return [errorMeasurement(this.name, 'requests', query, abortMessage(signal))];
      return [
        errorMeasurement(this.name, 'requests', query, `cannot read the proxy's samples of ${where}: ${messageOf(e)}`),
      ];
    }
    return [this.requestsMeasurement(query)];
  }

  /** Nothing to release: the router belongs to the caller. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private requestsMeasurement(query: SignalQuery): ProxyRequestsMeasurement {
    const windowOf = (release: string, from: number, to: number) =>
      this.releases.get(release)?.window(from, to) ?? emptyWindow();
    const baseline = windowOf(query.stable, -Infinity, query.baselineUntil);
    return {
      metric: 'requests',
      source: this.name,
      from: query.from,
      to: query.to,
      phase: 'ok',
      kind: 'requests',
      candidate: windowOf(query.candidate, query.from, query.to),
      stable: windowOf(query.stable, query.from, query.to),
      // No stable traffic before the deployment: no baseline (rather than a baseline of zero requests).
      ...(baseline.total > 0 ? { baseline } : {}),
      missed: this.missed,
    };
  }

  private async read(): Promise<void> {
    const { router, environment, service } = this.options;
    const first = this.startedAt === undefined;
    let page = checkPage(await router.samples(environment, service, this.cursor));
    if (!first && page.startedAt !== this.startedAt) {
      // The proxy restarted: its sequences began again at 1, so our cursor means nothing there.
      // What we already counted stays; everything the new process kept is new to us.
      this.cursor = 0;
      page = checkPage(await router.samples(environment, service, 0));
    }
    // On the very first read, samples already gone are history from before the analysis, not a lag.
    if (this.startedAt !== undefined) this.missed += page.missed;
    this.startedAt = page.startedAt;
    for (const s of page.samples) {
      if (s.seq <= this.cursor) continue;
      this.releaseRequests(s.release).add(s.at, s.latencyMs, s.status >= 500 || s.proxyError);
    }
    this.cursor = Math.max(this.cursor, page.cursor);
  }

  private releaseRequests(release: string): ReleaseRequests {
    let requests = this.releases.get(release);
    if (!requests) {
      requests = new ReleaseRequests({
        maxLatencies: this.options.maxLatenciesPerRelease ?? 20_000,
        maxRequests: this.options.maxRequestsPerRelease ?? 1_000_000,
        random: this.options.random ?? Math.random,
      });
      this.releases.set(release, requests);
    }
    return requests;
  }
}

/** A page that is not shaped like a SamplesPage is an error, not a crash later on. */
function checkPage(page: SamplesPage): SamplesPage {
  if (
    typeof page !== 'object' ||
    page === null ||
    !Array.isArray(page.samples) ||
    typeof page.cursor !== 'number' ||
    typeof page.startedAt !== 'number'
  )
    throw new Error('the proxy answered /samples with something that is not a page of samples');
  return page;
}
