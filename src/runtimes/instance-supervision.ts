import type { Clock } from '../shared/clock.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import { type BackoffOptions, RestartBackoff } from './local/backoff.js';
import type { InstanceExit, InstanceState } from './runtime.js';

export interface SupervisionOptions {
  clock: Clock;
  logger: Logger;
  backoff: BackoffOptions;
  /** The state changed: the runtime emits its `state` event. */
  changed(): void;
}

/**
 * What every runtime's instance supervisor (local process, SSH host, container) keeps the same way: the state and the
 * message beside it, restarts with backoff (forgotten after a long healthy stretch), the last exit, when the next
 * restart is due, and the lifecycle that stop() and detach() end so no restart begins afterwards. The runtimes differ
 * in how a process is started, watched and stopped, not in this.
 */
export class InstanceSupervision {
  state: InstanceState | undefined;
  message: string | undefined;
  restarts = 0;
  lastExit: InstanceExit | undefined;
  nextRestartAt: number | undefined;
  private healthySince: number | undefined;
  private readonly backoff: RestartBackoff;
  private readonly lifecycle = new AbortController();

  constructor(private readonly options: SupervisionOptions) {
    this.backoff = new RestartBackoff(options.backoff);
  }

  /** Aborted once the instance is stopped or detached. */
  get signal(): AbortSignal {
    return this.lifecycle.signal;
  }

  get ended(): boolean {
    return this.lifecycle.signal.aborted;
  }

  /** No restart may begin from now on (stop, detach). */
  end(): void {
    this.lifecycle.abort();
  }

  /** Stopped or failed: nothing runs and nothing will. */
  get over(): boolean {
    return this.state === 'stopped' || this.state === 'failed';
  }

  /** The message always; the `changed` event only for a new state. */
  set(state: InstanceState, message?: string): void {
    this.message = message;
    if (state === this.state) return;
    if (this.state === 'healthy') this.endHealthyStretch();
    if (state === 'healthy') this.healthySince = this.options.clock.now();
    this.state = state;
    this.options.changed();
  }

  /**
   * After an exit: `crashed` with the reason and the delay, then `restart` once it is due (unless ended meanwhile).
   * The delay counts from `since` (the exit), so nextRestartAt - lastExit.at is exactly the backoff.
   */
  scheduleRestart(since: number, why: string, restart: () => Promise<void>): void {
    this.endHealthyStretch();
    const delay = this.backoff.nextDelay();
    this.nextRestartAt = since + delay;
    this.set('crashed', `${why}; restarting in ${delay}ms`);
    const wait = Math.max(0, this.nextRestartAt - this.options.clock.now());
    this.options.clock.sleep(wait, this.lifecycle.signal).then(
      () => restart().catch((err) => this.options.logger.error({ err: messageOf(err) }, 'restart crashed')),
      () => undefined, // stopped or detached before the restart was due
    );
  }

  /** A restart that started no process: the release's fault fails the instance; anything else is tried again later. */
  restartFailed(err: unknown, releaseFault: boolean, restart: () => Promise<void>): void {
    if (releaseFault) this.set('failed', `restart failed: ${messageOf(err)}`);
    else this.scheduleRestart(this.options.clock.now(), `restart failed (${messageOf(err)})`, restart);
  }

  /** A restart started a new process. */
  restarted(): void {
    this.restarts++;
    this.nextRestartAt = undefined;
  }

  /** The process is gone for good after stop(). */
  stopped(): void {
    this.nextRestartAt = undefined;
    this.set('stopped');
  }

  private endHealthyStretch(): void {
    if (this.healthySince !== undefined) this.backoff.healthyFor(this.options.clock.now() - this.healthySince);
    this.healthySince = undefined;
  }
}
