import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { RemoteHost, RemoteProcess } from './remote-host.js';

/** What a poller reports to the runtime. */
export interface HostPollerEvents {
  seen(host: RemoteHost, processes: Map<string, RemoteProcess>): void;
  /** The host has not answered for `downAfterMs`: everything on it counts as down. */
  lost(host: RemoteHost, why: string): void;
}

/**
 * Asks one host every `pollMs` which instance processes are alive (one fixed command), so exits are
 * seen within a poll, and declares the host down when it has not answered for `downAfterMs` (a
 * stopped sshd or machine, a dead network, a stuck disk all look like that from here).
 */
export class HostPoller {
  down = false;
  private failingSince: number | undefined;
  private readonly stopped = new AbortController();

  constructor(
    readonly host: RemoteHost,
    private readonly options: { clock: Clock; pollMs: number; downAfterMs: number; events: HostPollerEvents },
  ) {
    void this.loop();
  }

  stop(): void {
    this.stopped.abort();
  }

  private async loop(): Promise<void> {
    const { clock, pollMs, downAfterMs, events } = this.options;
    while (!this.stopped.signal.aborted) {
      try {
        const processes = await this.host.status();
        if (this.stopped.signal.aborted) return;
        this.failingSince = undefined;
        this.down = false;
        events.seen(this.host, processes);
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
