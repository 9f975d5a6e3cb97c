import { RuntimeError } from './errors.js';

/** How long to wait before restarting a crashed instance. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** An instance healthy this long has recovered: the next crash starts again at `initialMs`. */
  resetAfterMs: number;
}

/** 1 s doubling to 30 s; forgotten after 60 s healthy. */
export const defaultBackoff: BackoffOptions = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** Exponential restart delays: initial, doubling, capped at max; reset after a long healthy stretch. */
export class RestartBackoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RuntimeError(
        'invalid_input',
        `restartBackoff needs 0 < initialMs <= maxMs (got ${options.initialMs}, ${options.maxMs})`,
      );
    }
  }

  /** The delay before the next restart; each call counts one more crash. */
  nextDelay(): number {
    const delay = Math.min(this.options.initialMs * 2 ** this.attempt, this.options.maxMs);
    if (delay < this.options.maxMs) this.attempt++;
    return delay;
  }

  /** Report a healthy stretch that just ended; a long enough one forgets earlier crashes. */
  healthyFor(ms: number): void {
    if (ms >= this.options.resetAfterMs) this.attempt = 0;
  }
}
