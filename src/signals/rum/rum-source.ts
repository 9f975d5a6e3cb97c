import { messageOf } from '../../shared/errors.js';
import type { RumPage } from '../../traffic/proxy/rum-samples.js';
import { invalidOption } from '../errors.js';
import { abortMessage, errorMeasurement, unlessAborted } from '../measurement.js';
import type { Measurement, SignalQuery, SignalSource } from '../signal-source.js';
import { emptyRumWindow, ReleaseViews } from './release-views.js';

/** Where the RUM beacons of one frontend service are: the built-in proxy answers them (rum-intake.ts). */
export interface RumSignalSourceOptions {
  /** The proxy's admin client (ProxyRouter); only `rum` is used. */
  router: { rum(environment: string, service: string, after?: number): Promise<RumPage> };
  /** The data-plane environment name (`${project}.${environment}`). */
  environment: string;
  /** The frontend service whose route answers the page's beacons. */
  service: string;
  /** LCP values kept per release (default 20,000). */
  maxLcpPerRelease?: number;
  random?: () => number;
}

/**
 * Real users of a frontend, candidate against stable: each `measure` reads the proxy's RUM
 * beacons since its cursor (as the proxy source reads request samples) and reports one `rum`
 * measurement — page views, views with JS errors and LCP values per release — from which the judge derives
 * `lcpP75` and `jsErrorRate`. INP and CLS beacons are kept by the proxy but not judged yet.
 *
 * @example
 * const source = new RumSignalSource({ router, environment: 'harbor.production', service: 'web' });
 * const [rum] = await source.measure(query); // kind rum: candidate, stable, baseline
 */
export class RumSignalSource implements SignalSource {
  readonly name = 'rum';
  private readonly releases = new Map<string, ReleaseViews>();
  private cursor = 0;
  private startedAt: number | undefined;
  private reading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: RumSignalSourceOptions) {
    if (!options.router || typeof options.router.rum !== 'function')
      invalidOption('rum source: router', 'expected the proxy admin client (with rum())');
    if (!options.environment) invalidOption('rum source: environment', 'expected the data-plane environment name');
    if (!options.service) invalidOption('rum source: service', 'expected a service name');
    const max = options.maxLcpPerRelease;
    if (max !== undefined && (!Number.isInteger(max) || max < 1))
      invalidOption('rum source: maxLcpPerRelease', `expected a positive integer, got ${max}`);
  }

  /** Read the new beacons, then count the window. Never throws. */
  async measure(query: SignalQuery, signal?: AbortSignal): Promise<Measurement[]> {
    const where = `service ${this.options.service} in ${this.options.environment}`;
    if (this.closed) return [errorMeasurement(this.name, 'rum', query, `the RUM signal source for ${where} is closed`)];
    if (signal?.aborted) return [errorMeasurement(this.name, 'rum', query, abortMessage(signal))];
    const read = this.reading.then(() => this.read());
    this.reading = read.catch(() => undefined);
    try {
      await unlessAborted(read, signal);
    } catch (e) {
      if (signal?.aborted) return [errorMeasurement(this.name, 'rum', query, abortMessage(signal))];
      return [errorMeasurement(this.name, 'rum', query, `cannot read the RUM beacons of ${where}: ${messageOf(e)}`)];
    }
    const windowOf = (release: string, from: number, to: number) =>
      this.releases.get(release)?.window(from, to) ?? emptyRumWindow();
    const baseline = windowOf(query.stable, -Infinity, query.baselineUntil);
    return [
      {
        metric: 'rum',
        source: this.name,
        from: query.from,
        to: query.to,
        phase: 'ok',
        kind: 'rum',
        candidate: windowOf(query.candidate, query.from, query.to),
        stable: windowOf(query.stable, query.from, query.to),
        ...(baseline.pageViews > 0 ? { baseline } : {}),
      },
    ];
  }

  /** Nothing to release: the router belongs to the caller. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private async read(): Promise<void> {
    const { router, environment, service } = this.options;
    let page = checkPage(await router.rum(environment, service, this.cursor));
    if (this.startedAt !== undefined && page.startedAt !== this.startedAt) {
      // The proxy restarted and its sequence began again at 1: what it kept is all new to us.
      this.cursor = 0;
      page = checkPage(await router.rum(environment, service, 0));
    }
    this.startedAt = page.startedAt;
    for (const s of page.samples) {
      if (s.seq <= this.cursor) continue;
      if (s.name === 'LCP') this.views(s.release).addLcp(s.at, s.value);
      else if (s.name === 'error') this.views(s.release).addError(s.at, s.view);
    }
    this.cursor = Math.max(this.cursor, page.cursor);
  }

  private views(release: string): ReleaseViews {
    let views = this.releases.get(release);
    if (!views) {
      views = new ReleaseViews({
        maxLcp: this.options.maxLcpPerRelease ?? 20_000,
        maxEvents: 1_000_000,
        random: this.options.random ?? Math.random,
      });
      this.releases.set(release, views);
    }
    return views;
  }
}

function checkPage(page: RumPage): RumPage {
  if (
    typeof page !== 'object' ||
    page === null ||
    !Array.isArray(page.samples) ||
    typeof page.cursor !== 'number' ||
    typeof page.startedAt !== 'number'
  )
    throw new Error('the proxy answered /rum with something that is not a page of RUM samples');
  return page;
}
