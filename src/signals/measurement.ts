import type { Measurement, SignalQuery } from './signal-source.js';

/** A failed measurement (phase `error`) for the query's window. */
export function errorMeasurement(source: string, metric: string, query: SignalQuery, message: string): Measurement {
  return { metric, source, from: query.from, to: query.to, phase: 'error', message };
}

/** An empty measurement (phase `nodata`) for the query's window. */
export function noDataMeasurement(source: string, metric: string, query: SignalQuery, message: string): Measurement {
  return { metric, source, from: query.from, to: query.to, phase: 'nodata', message };
}

/** Why a signal was aborted, in words ("aborted: <reason>"). */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return text === '' || text === 'This operation was aborted' ? 'measurement aborted' : `measurement aborted: ${text}`;
}

/**
 * Settle with `work`, or reject with an Error saying why as soon as `signal` aborts. The work
 * itself goes on (its result is dropped), so callers keep their state consistent either way.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Error(abortMessage(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(abortMessage(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
