import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';

/** What a poller asks of a host: a name for people, and one call that answers while the host does. */
export interface PolledHost {
  readonly label: string;
  status(): Promise<unknown>;
}

/** What a poller reports to the runtime. */
export interface HostPollerEvents<H extends PolledHost> {
  seen(host: H, status: Awaited<ReturnType<H['status']>>): void;
  /** The host has not answered for `downAfterMs`: everything on it counts as down. */
  lost(host: H, why: string): void;
}

/**
 * Asks one host every `pollMs` how it is (the SSH runtime: which instance processes are alive, one fixed command;
 * containers on SSH hosts: whether its Docker Engine answers), so exits are seen within a poll, and declares the host
 * down when it has not answered for `downAfterMs` (a stopped sshd or machine, a dead network, a stuck disk all look
 * like that from here). `status()` must time out by itself: a call that never returns stops the polling.
 */
export class HostPoller<H extends PolledHost> {
  down = false;
  private failingSince: number | undefined;
  private readonly stopped = new AbortController();

  constructor(
    readonly host: H,
    private readonly options: { clock: Clock; pollMs: number; downAfterMs: number; events: HostPollerEvents<H> },
  ) {
    void this.loop();
  }

  stop(): void {
    this.stopped.abort();
  }

  /**
   * The host failed to answer already (a restarted coordinator's adopt there failed): it is down from now on, without
   * waiting `downAfterMs` and without a `lost` event (the caller has counted its instances down); `seen` comes as soon
   * as it answers again.
   */
  assumeDown(): void {
    this.down = true;
    this.failingSince ??= this.options.clock.now();
  }

  private async loop(): Promise<void> {
    const { clock, pollMs, downAfterMs, events } = this.options;
    while (!this.stopped.signal.aborted) {
      try {
        const status = (await this.host.status()) as Awaited<ReturnType<H['status']>>;
        if (this.stopped.signal.aborted) return;
        this.failingSince = undefined;
        this.down = false;
        events.seen(this.host, status);
      } catch (err) {
        const now = clock.now();
        this.failingSince ??= now;
        if (!this.down && now - this.failingSince >= downAfterMs && !this.stopped.signal.aborted) {
          this.down = true;
          events.lost(this.host, `host ${this.host.label} stopped answering (${messageOf(err)})`);
        }
      }
      await clock.sleep(pollMs, this.stopped.signal).catch(() => undefined);
    }
  }
}
