import type { Db } from '../store/db.js';
import { appendEvent, type EventRecord, type NewEvent } from '../store/repos/events.js';
import type { Logger } from '../shared/logging.js';

/** The fields every event about a deployment carries. */
export function aboutDeployment(d: { project: string; id: string; service: string; environment: string }) {
  return { project: d.project, deploymentId: d.id, service: d.service, environment: d.environment };
}

type Listener = (event: EventRecord) => void;

/**
 * Events are appended to the store (the durable timeline) and then handed to in-process
 * listeners (SSE streams), so a stream never shows an event the store does not have.
 */
export class EventLog {
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** Record an event and notify listeners. Never throws: a lost event must not fail a deployment. */
  async emit(event: NewEvent): Promise<EventRecord | undefined> {
    try {
      const stored = await appendEvent(this.db, event);
      for (const listener of this.listeners) listener(stored);
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
    return () => this.listeners.delete(listener);
  }
}
