/**
 * PGlite runs one statement at a time, in this process. When a burst of background work (delivering a thousand
 * notifications) queues hundreds of statements, a deployment step's two writes waited behind all of them: p99 6 →
 * 69 ms in bench:notify. The lanes keep one operation in flight and hand the store to the foreground lane first; the
 * background lane gets every idle moment, and a turn after every `foregroundTurns` foreground operations while both
 * wait, so a foreground statement waits for at most one background one and the background is never starved (a
 * steady stream of the engine's statements must not hold notifications back).
 */
export type Lane = 'foreground' | 'background';

interface Waiting {
  start: () => void;
}

export class StatementLanes {
  private busy = false;
  private picking = false;
  private foregroundSinceBackground = 0;
  private readonly waiting: Record<Lane, Waiting[]> = { foreground: [], background: [] };

  /**
   * `defer` (e.g. setImmediate): pick the next operation only on a later turn of the event loop. Where requests
   * arrive as messages (PGlite's thread), an operation that settles on microtasks would otherwise run the whole
   * queue before the next message, a foreground one, is even read.
   */
  constructor(
    private readonly foregroundTurns = 2,
    private readonly defer?: (pick: () => void) => void,
  ) {}

  /** Run `operation` when its lane's turn comes; it holds the store until it settles. */
  run<T>(lane: Lane, operation: () => Promise<T>): Promise<T> {
    if (!this.busy && !this.defer) {
      this.busy = true;
      this.count(lane);
      return this.settle(operation);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting[lane].push({ start: () => this.settle(operation).then(resolve, reject) });
      this.pickLater();
    });
  }

  private pickLater(): void {
    if (!this.defer || this.busy || this.picking) return;
    this.picking = true;
    this.defer(() => {
      this.picking = false;
      if (!this.busy) this.next();
    });
  }

  /** Operations waiting for their turn, per lane (tests, metrics). */
  get queued(): Record<Lane, number> {
    return { foreground: this.waiting.foreground.length, background: this.waiting.background.length };
  }

  private async settle<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } finally {
      if (this.defer) {
        this.busy = false;
        this.pickLater();
      } else this.next();
    }
  }

  private next(): void {
    const lane = this.pick();
    if (!lane) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.count(lane);
    this.waiting[lane].shift()!.start();
  }

  private pick(): Lane | undefined {
    const { foreground, background } = this.waiting;
    if (background.length > 0 && (foreground.length === 0 || this.foregroundSinceBackground >= this.foregroundTurns))
      return 'background';
    return foreground.length > 0 ? 'foreground' : undefined;
  }

  private count(lane: Lane): void {
    this.foregroundSinceBackground = lane === 'foreground' ? this.foregroundSinceBackground + 1 : 0;
  }
}
