import type { Dispatcher } from 'undici';

/**
 * One request through undici's callback API, resolving with the answer's status once its body is read: no body stream
 * per answer, so the benchmarks' own clients take as little of the shared 2 cores as they can (with `pool.request`
 * the ingest benchmark's client cost more CPU than the coordinator's HTTP handling of the same requests).
 */
export function dispatchStatus(pool: Dispatcher, options: Dispatcher.DispatchOptions): Promise<number> {
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
    pool.dispatch(options, handler);
  });
}
