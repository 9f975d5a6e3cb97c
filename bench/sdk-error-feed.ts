import { ensureDsnKey } from '../src/observe/errors/dsn.js';
import { ErrorIngest } from '../src/observe/errors/error-ingest.js';
import { silentLogger } from '../src/shared/logging.js';
import type { Db } from '../src/store/db.js';
import type { DsnKeyRecord } from '../src/store/repos/dsn-keys.js';
import { envelopeOf, type EventShape, sentryEvent } from '../test/support/sentry-envelopes.js';

/** One release's SDK reporting one bug at a steady rate. */
export interface SdkErrors {
  release: string;
  perSecond: number;
  bug: Omit<EventShape, 'release'>;
}

/**
 * What a release's Sentry SDK would send while it serves traffic, through Slipway's real ingest (grouping, issues,
 * counts per release) into the store the engine's errors source reads: every 100 ms, each source's events for that
 * tenth of a second (fractions carried over, so 0.5/s is one event every 2 s). HTTP statuses are the TrafficFeed's
 * business; an exception reported here can sit behind a 200.
 * Example: const sdk = await SdkErrorFeed.start(db, 'harbor', 'staging', [{ release: '2.0.0', perSecond: 4, bug }])
 */
export class SdkErrorFeed {
  private timer?: NodeJS.Timeout;
  private owed = new Map<string, number>();
  private sending = Promise.resolve();

  private constructor(
    private readonly ingest: ErrorIngest,
    private readonly key: DsnKeyRecord,
    private readonly environment: string,
    private sources: SdkErrors[],
  ) {}

  static async start(db: Db, project: string, environment: string, sources: SdkErrors[]): Promise<SdkErrorFeed> {
    const key = await ensureDsnKey(db, project, environment);
    const feed = new SdkErrorFeed(new ErrorIngest({ db, logger: silentLogger }), key, environment, sources);
    feed.timer = setInterval(() => feed.tick(), 100);
    return feed;
  }

  set(sources: SdkErrors[]): void {
    this.sources = sources;
  }

  private tick(): void {
    const events: Record<string, unknown>[] = [];
    for (const s of this.sources) {
      const id = `${s.release} ${s.bug.type} ${s.bug.value}`;
      let owed = (this.owed.get(id) ?? 0) + s.perSecond / 10;
      for (; owed >= 1; owed--)
        events.push({ ...sentryEvent({ ...s.bug, release: s.release }), environment: this.environment });
      this.owed.set(id, owed);
    }
    if (events.length === 0) return;
    // One envelope per event, as the SDKs send them; in order, so a slow store queues rather than piles up.
    this.sending = this.sending
      .then(async () => {
        for (const e of events) await this.ingest.ingest(this.key, envelopeOf([['event', e]]), undefined, 'envelope');
      })
      .catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
    await this.ingest.close();
  }
}
