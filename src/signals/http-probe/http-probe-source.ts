import { Pool } from 'undici';
import { systemClock, type Clock } from '../../shared/clock.js';
import { abortMessage, errorMeasurement, noDataMeasurement } from '../measurement.js';
import { BodyTooLarge, networkReason, readText } from '../read-body.js';
import type { Measurement, SignalQuery, SignalSource } from '../signal-source.js';
import { CheckLog, type CheckResult } from './check-log.js';
import { problemsWith } from './probe-check.js';
import { checkProbeConfig, type HttpProbe, type HttpProbeSignalSourceConfig } from './probe-config.js';

const maxBodyBytes = 1024 * 1024;

/**
 * Synthetic requests to the candidate through the environment's proxy (header
 * `X-Slipway-Release: candidate`, which reaches the candidate even at weight 0), checked for
 * status, body text, JSON values and which release answered: a correctness canary.
 *
 * Probes run on the source's own timer: the first `measure` starts it (that is when the
 * candidate is known) and a round of all probes runs every `intervalMs` until `close`. So
 * `measure` never waits on the network; it counts the results that finished in the window,
 * and says `nodata` until the first round is in.
 *
 * @example
 * new HttpProbeSignalSource({ url: 'http://127.0.0.1:8081', probes: [{ name: 'known-quote', method: 'POST', path:
 * '/quotes',
 * body: { tonnage: 42000, vesselClass: 'tanker', routeRisk: 3 }, expect: { json: { premium: 102668.99 }, release: true
 * } }] })
 */
export class HttpProbeSignalSource implements SignalSource {
  readonly name = 'http-probe';
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly logs = new Map<string, CheckLog>();
  private readonly stopping = new AbortController();
  private candidate: string | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly config: HttpProbeSignalSourceConfig,
    private readonly clock: Clock = systemClock,
  ) {
    const url = checkProbeConfig(config);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: Math.min(8, config.probes.length * 2),
      connect: { timeout: this.timeoutMs },
    });
    for (const probe of config.probes) this.logs.set(probe.name, new CheckLog());
  }

  /** One `checks` measurement per probe for the window; starts the probes on the first call. Never throws. */
  async measure(query: SignalQuery, signal?: AbortSignal): Promise<Measurement[]> {
    const probes = this.config.probes;
    if (signal?.aborted) return probes.map((p) => errorMeasurement(this.name, p.name, query, abortMessage(signal)));
    if (this.stopping.signal.aborted)
      return probes.map((p) => errorMeasurement(this.name, p.name, query, 'the http-probe signal source is closed'));
    this.candidate = query.candidate;
    this.loop ??= this.run();
    return probes.map((probe) => {
      const summary = this.logs.get(probe.name)!.summary(query.from, query.to);
      if (summary.kind === 'error') return errorMeasurement(this.name, probe.name, query, summary.message);
      if (summary.kind === 'none')
        return noDataMeasurement(
          this.name,
          probe.name,
          query,
          `no ${describeProbe(probe)} probe finished in the window yet`,
        );
      return {
        metric: probe.name,
        source: this.name,
        from: query.from,
        to: query.to,
        phase: 'ok',
        kind: 'checks',
        candidate: summary.window,
      };
    });
  }

  /** Stop the timer, abort probes in flight, close the connections. Idempotent. */
  async close(): Promise<void> {
    this.stopping.abort(new Error('the http-probe signal source is closed'));
    await this.loop;
    if (!this.pool.closed && !this.pool.destroyed) await this.pool.close();
  }

  private get timeoutMs(): number {
    return this.config.timeoutMs ?? 5_000;
  }

  private async run(): Promise<void> {
    const stop = this.stopping.signal;
    while (!stop.aborted) {
      await Promise.all(
        this.config.probes.map(async (probe) => this.logs.get(probe.name)!.add(await this.send(probe))),
      );
      try {
        await this.clock.sleep(this.config.intervalMs ?? 1_000, stop);
      } catch {
        return;
      }
    }
  }

  /** Send one probe; every outcome becomes a result (a closed source records nothing new that matters). */
  private async send(probe: HttpProbe): Promise<CheckResult> {
    const what = describeProbe(probe);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    // Ours last and in one spelling: a second X-Slipway-Release would make the proxy's target unreadable.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(probe.headers ?? {}))
      if (name.toLowerCase() !== 'x-slipway-release') headers[name] = value;
    headers['x-slipway-release'] = 'candidate';
    if (probe.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    try {
      const res = await this.pool.request({
        method: probe.method ?? 'GET',
        path: this.basePath + probe.path,
        headers,
        body: probe.body === undefined ? undefined : JSON.stringify(probe.body),
        signal: AbortSignal.any([this.stopping.signal, timeout]),
      });
      const body = await readText(res.body, maxBodyBytes);
      const problems = problemsWith({ status: res.statusCode, headers: res.headers, body }, probe.expect, {
        candidate: this.candidate ?? '',
        header: this.config.releaseHeader ?? 'x-release',
      });
      const at = this.clock.now();
      return problems.length === 0
        ? { at, outcome: 'pass' }
        : { at, outcome: 'fail', detail: `${what}: ${problems.join('; ')}` };
    } catch (e) {
      const at = this.clock.now();
      if (this.stopping.signal.aborted) return { at, outcome: 'error', detail: `${what}: the source was closed` };
      // A candidate too slow to answer fails the check; a proxy we cannot reach says nothing about the candidate.
      if (timeout.aborted) return { at, outcome: 'fail', detail: `${what}: no answer within ${this.timeoutMs} ms` };
      if (e instanceof BodyTooLarge)
        return { at, outcome: 'fail', detail: `${what}: body larger than ${maxBodyBytes} bytes` };
      return { at, outcome: 'error', detail: `${what}: cannot reach ${this.config.url} (${networkReason(e)})` };
    }
  }
}

function describeProbe(probe: HttpProbe): string {
  return `${probe.method ?? 'GET'} ${probe.path}`;
}
