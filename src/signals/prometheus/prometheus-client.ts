import { Pool } from 'undici';
import { invalidOption } from '../errors.js';
import { BodyTooLarge, networkReason, readText } from '../read-body.js';
import { parseQueryAnswer, type QueryOutcome } from './query-result.js';

const maxAnswerBytes = 1024 * 1024;

/** Instant queries against one Prometheus server's HTTP API (/api/v1/query). Never throws. */
export class PrometheusClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  /** The address as configured, for messages. */
  readonly address: string;

  constructor(
    address: string,
    private readonly timeoutMs: number,
  ) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      invalidOption(
        'prometheus source: address',
        `${JSON.stringify(address)} is not a URL; expected e.g. http://127.0.0.1:9090`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      invalidOption(
        'prometheus source: address',
        `expected an http:// or https:// URL, got ${JSON.stringify(address)}`,
      );
    if (url.search || url.hash || url.username || url.password)
      invalidOption(
        'prometheus source: address',
        `expected scheme, host, port and an optional path prefix, got ${JSON.stringify(address)}`,
      );
    this.address = address.replace(/\/+$/, '');
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, { connections: 4, connect: { timeout: timeoutMs } });
  }

  /** Evaluate `query` at `atMs` (ms since the epoch). */
  async query(query: string, atMs: number, signal?: AbortSignal): Promise<QueryOutcome> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const form = new URLSearchParams({ query, time: (atMs / 1000).toFixed(3), timeout: `${this.timeoutMs}ms` });
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: `${this.basePath}/api/v1/query`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: both,
      });
      const text = await readText(res.body, maxAnswerBytes);
      return parseQueryAnswer(res.statusCode, text, query, this.address);
    } catch (e) {
      if (signal?.aborted)
        return { phase: 'error', message: `query to Prometheus at ${this.address} aborted: ${query}` };
      if (timeout.aborted)
        return {
          phase: 'error',
          message: `Prometheus at ${this.address} did not answer within ${this.timeoutMs} ms (query: ${query})`,
        };
      if (e instanceof BodyTooLarge)
        return {
          phase: 'error',
          message:
            `Prometheus' answer is larger than ${maxAnswerBytes} bytes; the query must aggregate to one ` +
            `series: ${query}`,
        };
      return { phase: 'error', message: `Prometheus at ${this.address} is not reachable (${networkReason(e)})` };
    }
  }

  /** Close the connections. Idempotent. */
  async close(): Promise<void> {
    if (!this.pool.closed && !this.pool.destroyed) await this.pool.close();
  }
}
