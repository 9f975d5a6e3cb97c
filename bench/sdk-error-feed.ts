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

  /**
   * `history`: events each source reported before now (sent at once, before the feed starts), so a release that has
   * been live a while has its known issues on record: without them a bug the stable release has always had would
   * look new in the next release if the stable one had not happened to report it yet.
   */
  static async start(
    db: Db,
    project: string,
    environment: string,
    sources: SdkErrors[],
    history = 0,
  ): Promise<SdkErrorFeed> {
    const key = await ensureDsnKey(db, project, environment);
    const feed = new SdkErrorFeed(new ErrorIngest({ db, logger: silentLogger }), key, environment, sources);
    for (const s of sources)
      for (let n = 0; n < history; n++)
        await feed.send({ ...sentryEvent({ ...s.bug, release: s.release }), environment });
    await feed.ingest.flush();
    feed.timer = setInterval(() => feed.tick(), 100);
    return feed;
  }

  private send(event: Record<string, unknown>): Promise<unknown> {
    return this.ingest.ingest(this.key, envelopeOf([['event', event]]), undefined, 'envelope');
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
        for (const e of events) await this.send(e);
      })
      .catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
    await this.ingest.close();
  }
}
