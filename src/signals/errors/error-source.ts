import { messageOf } from '../../shared/errors.js';
import { invalidOption } from '../errors.js';
import { abortMessage, errorMeasurement, unlessAborted } from '../measurement.js';
import type { ErrorWindow, Measurement, SignalQuery, SignalSource } from '../signal-source.js';

/** Where error events are read: the store of Slipway's Sentry-protocol ingest (src/observe/errors/). */
export interface ErrorWindowReader {
  /**
   * What `release` reported in [from, to) in the project's environment; each issue says whether
   * `other` ever reported it there.
   */
  window(q: {
    project: string;
    environment: string;
    release: string;
    other: string;
    from: number;
    to: number;
  }): Promise<ErrorWindow>;
}

/**
 * Errors as signals: the events and issues the candidate's and the stable release's Sentry SDKs
 * reported to the coordinator, and their sessions, in one `errors` measurement. The baseline is
 * the stable release over a window as long as the query's, ending when the deployment started.
 *
 * @example
 * const source = new ErrorSignalSource({ reader: new StoredErrorWindows(db) });
 * const [errors] = await source.measure(query); // kind errors: candidate, stable, baseline
 */
export class ErrorSignalSource implements SignalSource {
  readonly name = 'errors';
  private closed = false;

  constructor(private readonly options: { reader: ErrorWindowReader }) {
    if (!options.reader || typeof options.reader.window !== 'function')
      invalidOption('errors source: reader', 'expected an error window reader (with window())');
  }

  /** Read both releases' windows. Never throws. */
  async measure(query: SignalQuery, signal?: AbortSignal): Promise<Measurement[]> {
    const where = `${query.project} ${query.environment}`;
    if (this.closed) return [errorMeasurement(this.name, 'errors', query, `the errors source for ${where} is closed`)];
    if (signal?.aborted) return [errorMeasurement(this.name, 'errors', query, abortMessage(signal))];
    const { reader } = this.options;
    const base = { project: query.project, environment: query.environment };
    const span = query.to - query.from;
    try {
      const [candidate, stable, baseline] = await unlessAborted(
        Promise.all([
          reader.window({ ...base, release: query.candidate, other: query.stable, from: query.from, to: query.to }),
          reader.window({ ...base, release: query.stable, other: query.candidate, from: query.from, to: query.to }),
          reader.window({
            ...base,
            release: query.stable,
            other: query.candidate,
            from: query.baselineUntil - span,
            to: query.baselineUntil,
          }),
        ]),
        signal,
      );
      return [
        {
          metric: 'errors',
          source: this.name,
          from: query.from,
          to: query.to,
          phase: 'ok',
          kind: 'errors',
          candidate,
          stable,
          baseline,
        },
      ];
    } catch (e) {
      if (signal?.aborted) return [errorMeasurement(this.name, 'errors', query, abortMessage(signal))];
      return [
        errorMeasurement(this.name, 'errors', query, `cannot read the error events of ${where}: ${messageOf(e)}`),
      ];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
