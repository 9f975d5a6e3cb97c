import type { Dispatcher, Pool } from 'undici';

const headers = { 'content-type': 'application/x-sentry-envelope', 'content-encoding': 'gzip' };

/**
 * POST one gzip envelope and resolve with the answer's status once its body is read. undici's callback API, as the
 * latency probe uses it: `pool.request` made a body stream per answer and cost the benchmark's own client more CPU
 * than the coordinator's HTTP handling of the same request (all of it shares the machine's 2 cores).
 */
export function postEnvelope(pool: Pool, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        resolve(status);
      },
      onError: reject,
    };
    pool.dispatch({ method: 'POST', path, headers, body }, handler);
  });
}
