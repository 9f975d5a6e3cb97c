import type { Dispatcher } from 'undici';
import type { UpstreamConnection } from './upstream-pool.js';
import type { UpstreamState } from './upstream.js';

/** What an attempt reports back to its exchange. */
export interface AttemptOwner {
  /** Response headers arrived; return false to pause the upstream (backpressure). */
  onAttemptHeaders(attempt: Attempt, status: number, rawHeaders: Buffer[], statusText: string): boolean;
  /** A body chunk; return false to pause the upstream. */
  onAttemptData(chunk: Buffer): boolean;
  onAttemptComplete(): void;
  onAttemptError(attempt: Attempt, error: NodeJS.ErrnoException): void;
}

/**
 * One try of an exchange on one upstream connection: the undici dispatch handler (the lean
 * callback API, which undici runs without an adapter) plus the in-flight bookkeeping, done
 * exactly once whichever way the try ends.
 */
export class Attempt implements Dispatcher.DispatchHandler {
  /** Set by the connection: the request goes out on a socket that already carried a response. */
  reused = false;
  /** Response headers arrived: from here on the attempt can never be retried. */
  responded = false;
  private abortRequest: ((err?: Error) => void) | undefined;
  private abortWanted = false;
  private resumeResponse: (() => void) | undefined;
  private finished = false;

  constructor(
    private readonly owner: AttemptOwner,
    readonly upstream: UpstreamState,
    private readonly connection: UpstreamConnection,
  ) {
    upstream.inFlight++;
  }

  /** Send it (undici calls back into this handler). */
  start(options: Dispatcher.DispatchOptions): void {
    this.connection.dispatch(options, this);
  }

  /** Abort the upstream request (client gone); safe before undici has started it. */
  abort(): void {
    if (this.abortRequest) this.abortRequest();
    else this.abortWanted = true;
  }

  /** Continue reading a paused response (client drained). */
  resume(): void {
    this.resumeResponse?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortRequest = abort;
    if (this.abortWanted) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx interim responses (e.g. 100 Continue) are the proxy's business, not the client's.
    if (statusCode < 200) return true;
    this.responded = true;
    this.resumeResponse = resume;
    return this.owner.onAttemptHeaders(this, statusCode, rawHeaders, statusText);
  }

  onData(chunk: Buffer): boolean {
    return this.owner.onAttemptData(chunk);
  }

  onComplete(): void {
    this.finish(true);
    this.owner.onAttemptComplete();
  }

  onError(err: Error): void {
    this.finish(false);
    this.owner.onAttemptError(this, err as NodeJS.ErrnoException);
  }

  private finish(completed: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.upstream.pool.release(this.connection, completed);
    this.upstream.finish();
  }
}
