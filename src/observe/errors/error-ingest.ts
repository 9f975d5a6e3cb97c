import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../shared/logging.js';
import { messageOf } from '../../shared/errors.js';
import type { Db } from '../../store/db.js';
import type { DsnKeyRecord } from '../../store/repos/dsn-keys.js';
import { appendEvents } from '../../store/repos/events.js';
import type { Accepted } from './accepted.js';
import { digestBatch, type IssueChange } from './digest.js';
import { insertShapes } from './event-insert.js';
import { DsnKeyCache, sameKey } from './dsn.js';
import type { SentryForwarder } from './forwarder.js';
import { IngestError } from './ingest-error.js';
import { IngestQueue } from './ingest-queue.js';
import { IngestWorkers } from './ingest-workers.js';
import { KeyRateLimiter } from './rate-limit.js';
import { type Retention, defaultRetention, pruneEvents } from './retention.js';

export interface ErrorIngestOptions {
  db: Db;
  logger: Logger;
  registry?: Registry;
  /** Envelopes per second per DSN key, sustained and at once. */
  rateLimit?: { perSecond: number; burst: number };
  /** What may wait for the store. */
  queue?: { maxBytes: number; maxEnvelopes: number };
  /** Events per store transaction. */
  batchEvents?: number;
  /**
   * How long a batch smaller than `batchEvents` waits for more before it is stored (ms; default 100). It is stored as
   * soon as it is full, or when flush() or close() asks.
   */
  batchWaitMs?: number;
  /** Worker threads that read bodies (ingest-workers.ts); 0 reads them on the event loop. */
  threads?: number;
  retention?: Retention;
  /** Relays accepted bodies to the team's own Sentry, when an environment has an upstream DSN. */
  forward?: SentryForwarder;
}

/**
 * Sentry-protocol ingest, kept apart from digesting as Bugsink does: `ingest` authenticates,
 * rate-limits, has a worker thread decompress, validate and group the whole envelope, queues it and
 * returns (the SDK gets its answer without waiting for the store); a single digest loop stores
 * batches in one transaction each. A full queue or a failing store drops events with a counter
 * and a log line; deployments never wait on any of it.
 */
export class ErrorIngest {
  readonly keys: DsnKeyCache;
  private readonly queue: IngestQueue;
  private readonly limiter: KeyRateLimiter;
  private readonly workers: IngestWorkers;
  private readonly dropped: Counter<'reason'>;
  private readonly accepted: Counter;
  private readonly digested: Counter;
  private digesting: Promise<void> | undefined;
  /** Requests being read (in a thread) and queued: flush waits for them too, or it could return before they are. */
  private readonly reading = new Set<Promise<unknown>>();
  /** flush() calls under way: the digest stores what is queued without waiting for a batch to fill. */
  private hurrying = 0;
  private lastPrune = 0;
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  /** While the store refuses batches: events dropped since it began, and when the last line about it was logged. */
  private storeDown: { dropped: number; unlogged: number; loggedAt: number } | undefined;
  private closed = false;

  constructor(private readonly o: ErrorIngestOptions) {
    this.keys = new DsnKeyCache(o.db);
    this.queue = new IngestQueue(o.queue?.maxBytes ?? 64 * 1024 * 1024, o.queue?.maxEnvelopes ?? 20_000);
    this.limiter = new KeyRateLimiter(o.rateLimit?.perSecond ?? 1000, o.rateLimit?.burst ?? 2000);
    this.workers = new IngestWorkers(o.threads);
    this.dropped = counter(
      o.registry,
      'slipway_error_events_dropped_total',
      'Error events not stored: queue full, or the store failed',
      ['reason'],
    ) as Counter<'reason'>;
    this.accepted = counter(o.registry, 'slipway_error_events_accepted_total', 'Error events accepted by the ingest');
    this.digested = counter(
      o.registry,
      'slipway_error_events_digested_total',
      'Error events digested: grouped and stored, or ignored as duplicates of stored ones',
    );
  }

  /** The key an SDK presented for DSN id `keyId`: 401 when unknown or wrong, 403 when revoked. */
  async authenticate(keyId: number, presented: string | undefined): Promise<DsnKeyRecord> {
    if (!presented) throw new IngestError(401, 'missing DSN key: send X-Sentry-Auth with sentry_key, or ?sentry_key=');
    const key = Number.isSafeInteger(keyId) ? await this.keys.get(keyId) : undefined;
    if (!key || !sameKey(presented, key.publicKey))
      throw new IngestError(401, `unknown DSN key for project id ${keyId}`);
    if (key.revokedAt)
      throw new IngestError(403, `the DSN key of project id ${keyId} was revoked at ${key.revokedAt.toISOString()}`);
    return key;
  }

  /**
   * Accept one request's body (an envelope, or one event for the legacy store endpoint); returns the
   * event id once it is validated and queued — before it is stored.
   */
  async ingest(
    key: DsnKeyRecord,
    body: Buffer,
    encoding: string | undefined,
    kind: 'envelope' | 'store',
    /**
     * `movable`: the caller gives `body` up (a buffer of its own, not a pool slice), so it can go to a reader thread
     * without a copy; it is empty afterwards. Copied anyway when accepted bodies are relayed to a Sentry (forward).
     */
    o: { movable?: boolean } = {},
  ): Promise<string | undefined> {
    const accepting = this.accept(key, body, encoding, kind, o.movable === true && !this.o.forward);
    const settled = accepting.then(
      () => undefined,
      () => undefined,
    );
    this.reading.add(settled);
    return accepting.finally(() => this.reading.delete(settled));
  }

  private async accept(
    key: DsnKeyRecord,
    body: Buffer,
    encoding: string | undefined,
    kind: 'envelope' | 'store',
    movable: boolean,
  ): Promise<string | undefined> {
    const wait = this.limiter.take(key.id);
    if (wait > 0) throw new IngestError(429, `rate limit of this DSN key reached; retry in ${wait} s`, wait);
    const accepted = await this.workers.read(
      {
        body,
        encoding,
        kind,
        project: key.project,
        environment: key.environment,
      },
      movable,
    );
    if (this.closed || !this.queue.offer(accepted)) {
      this.dropped.inc({ reason: 'queue_full' }, accepted.events.length);
      this.droppedSinceLog += accepted.events.length;
      this.logDrops();
      throw new IngestError(429, 'the coordinator is storing events more slowly than they arrive; retry later', 1);
    }
    this.accepted.inc(accepted.events.length);
    this.o.forward?.offer(key.project, key.environment, kind, body, encoding);
    this.kick();
    return accepted.events[0]?.eventId;
  }

  /** Wait until every request taken so far (queued, or still being read in a thread) is digested (tests, shutdown). */
  async flush(): Promise<void> {
    this.hurrying++;
    try {
      while (this.reading.size > 0) await Promise.all(this.reading);
      while (this.digesting) await this.digesting;
    } finally {
      this.hurrying--;
    }
  }

  /** Digest what is queued, then stop accepting. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.workers.close();
    await this.flush();
    await this.o.forward?.close();
  }

  /** One log line per 10 s of drops at most, with how many: a flood must not flood the log too. */
  private logDrops(): void {
    const now = Date.now();
    if (now - this.lastDropLog < 10_000) return;
    this.lastDropLog = now;
    this.o.logger.warn(
      { events: this.droppedSinceLog, queued: this.queue.size },
      'error ingest queue full: dropped events (answered 429 with Retry-After)',
    );
    this.droppedSinceLog = 0;
  }

  private kick(): void {
    if (this.digesting) return;
    this.digesting = this.drain().finally(() => {
      this.digesting = undefined;
      if (this.queue.size > 0 && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    const batchEvents = this.o.batchEvents ?? 500;
    while (this.queue.size > 0) {
      // A moment for more to arrive: a transaction costs about the same for one event as for fifty (bench:ingest
      // on PGlite stored batches of one event, 8 statements each, and spent ~10 ms of the event loop per event).
      // Digesting 3,000 bench events on PostgreSQL in batches of 10, 50 and 200 took 0.43-0.49, 0.32-0.35 and
      // 0.25-0.27 ms of PostgreSQL's CPU per event, and 0.37-0.50, 0.27-0.30 and 0.20-0.23 ms of the coordinator's:
      // at a few hundred events a second, 20 ms gathered ~10. Nobody waits for it (the SDK has its answer).
      const until = Date.now() + (this.o.batchWaitMs ?? 100);
      while (this.queue.events < batchEvents && !this.closed && this.hurrying === 0 && Date.now() < until)
        await sleep(Math.min(10, Math.max(1, until - Date.now())));
      const batch = this.queue.take(batchEvents);
      await this.store(batch);
    }
    const now = Date.now();
    if (now - this.lastPrune > 30_000) {
      this.lastPrune = now;
      await pruneEvents(this.o.db, this.o.retention ?? defaultRetention, new Date(now)).catch((e) =>
        this.o.logger.error({ err: messageOf(e) }, 'could not prune old error events'),
      );
    }
  }

  private async store(batch: Accepted[]): Promise<void> {
    try {
      await this.o.db.transaction(async (tx) => {
        const changes = await digestBatch(tx, batch, new Date(), insertShapes[this.o.db.driver]);
        // One statement for all: each statement costs a round trip (tens of ms on a busy PGlite).
        await appendEvents(tx, changes.map(issueEvent));
      });
      this.digested.inc(batch.reduce((n, a) => n + a.events.length, 0));
      if (this.storeDown) {
        this.o.logger.info({ dropped: this.storeDown.dropped }, 'storing error events again; dropped some meanwhile');
        this.storeDown = undefined;
      }
    } catch (e) {
      const events = batch.reduce((n, a) => n + a.events.length, 0);
      this.dropped.inc({ reason: 'store_failed' }, events);
      this.logStoreFailure(events, messageOf(e));
    }
  }

  /**
   * One line when the store starts refusing batches, then at most one per 10 s while it goes on, and one when it
   * takes them again (store()): a store down for a minute under load is a handful of lines, not one per batch.
   */
  private logStoreFailure(events: number, err: string): void {
    const now = Date.now();
    const down = this.storeDown ?? { dropped: 0, unlogged: 0, loggedAt: 0 };
    this.storeDown = down;
    down.dropped += events;
    down.unlogged += events;
    if (now - down.loggedAt < 10_000) return;
    down.loggedAt = now;
    this.o.logger.error(
      { err, events: down.unlogged, dropped: down.dropped },
      'could not store error events; dropped them (SDKs were answered already)',
    );
    down.unlogged = 0;
  }
}

function issueEvent(c: IssueChange) {
  return {
    project: c.project,
    environment: c.environment,
    kind: c.kind === 'new' ? 'error.issue.new' : 'error.issue.regressed',
    message:
      c.kind === 'new'
        ? `new issue in ${c.release}: ${c.title}`
        : `issue regressed in ${c.release} (was resolved): ${c.title}`,
    data: { issue: c.issueId, title: c.title, release: c.release, environment: c.environment, count: c.count },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A counter on `registry`, or the one already there (a second ingest on the same registry shares it). */
function counter(registry: Registry | undefined, name: string, help: string, labelNames: string[] = []): Counter {
  const existing = registry?.getSingleMetric(name) as Counter | undefined;
  return existing ?? new Counter({ name, help, labelNames, registers: registry ? [registry] : [] });
}
