import type { Db } from '../store/db.js';
import { appendEvent, type EventRecord, lastEventId, listEventsExcept, type NewEvent } from '../store/repos/events.js';
import type { Logger } from '../shared/logging.js';

/** The fields every event about a deployment carries. */
export function aboutDeployment(d: { project: string; id: string; service: string; environment: string }) {
  return { project: d.project, deploymentId: d.id, service: d.service, environment: d.environment };
}

type Listener = (event: EventRecord) => void;

/** How many ids below the newest one seen are read again: a transaction may commit a lower id after a higher one. */
const rescan = 200;

/**
 * Events are appended to the store (the durable timeline) and then handed to in-process
 * listeners (SSE streams), so a stream never shows an event the store does not have.
 * Some events are appended inside the transaction of their change (incidents, alerts, error issues) and never pass
 * through `emit`: while anyone listens, the store is read for new ids every `tailMs`, and those are handed over too.
 */
export class EventLog {
  private readonly listeners = new Set<Listener>();
  /** Ids already handed to listeners (the newest few thousand), so none is handed over twice. */
  private readonly handed = new Set<number>();
  private tail: NodeJS.Timeout | undefined;
  private tailing = false;
  /** The newest id read from the store; events at or below `floor` were stored before anyone listened. */
  private cursor = 0;
  private floor = -1;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly tailMs = 500,
  ) {}

  private hand(event: EventRecord): void {
    this.handed.add(event.id);
    if (this.handed.size > 5000) this.handed.delete(this.handed.values().next().value!);
    for (const listener of this.listeners) listener(event);
  }

  /** One read of the store's newest events; never throws (the next round tries again). */
  private async follow(): Promise<void> {
    if (this.tailing) return;
    this.tailing = true;
    try {
      if (this.floor < 0) {
        this.floor = this.cursor = await lastEventId(this.db);
        return;
      }
      const after = Math.max(this.floor, this.cursor - rescan);
      // The ids already handed in the window are left out by the store: a quiet log costs one small query.
      const seen: number[] = [];
      for (let id = after + 1; id <= this.cursor; id++) if (this.handed.has(id)) seen.push(id);
      const rows = await listEventsExcept(this.db, { after, except: seen, limit: 1000 });
      for (const e of rows) {
        this.cursor = Math.max(this.cursor, e.id);
        if (!this.handed.has(e.id)) this.hand(e);
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'could not read new events for live streams; trying again');
    } finally {
      this.tailing = false;
    }
  }

  /** Record an event and notify listeners. Never throws: a lost event must not fail a deployment. */
  async emit(event: NewEvent): Promise<EventRecord | undefined> {
    try {
      const stored = await appendEvent(this.db, event);
      this.hand(stored);
      this.logger.info(
        {
          kind: stored.kind,
          deployment: stored.deploymentId,
          service: stored.service,
          environment: stored.environment,
        },
        stored.message,
      );
      return stored;
    } catch (e) {
      this.logger.error({ err: e, kind: event.kind }, 'could not record event');
      return undefined;
    }
  }

  /** Listen to new events; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.tail) {
      void this.follow();
      this.tail = setInterval(() => void this.follow(), this.tailMs);
      this.tail.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.tail) {
        clearInterval(this.tail);
        this.tail = undefined;
        this.floor = -1;
      }
    };
  }
}
