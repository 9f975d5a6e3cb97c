import { EventFollower } from '../engine/event-follower.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import type { EventRecord } from '../store/repos/events.js';
import { IncidentOpener } from './opener.js';

export interface FollowerOptions {
  /** Between passes when nothing wakes the follower (default 500 ms; 5 s with `subscribe`, a safety poll). */
  pollMs?: number;
  /**
   * Events as this process hands them over (EventLog.subscribe: those it records, and those it reads from the store
   * while anyone listens): each wakes a pass, so an idle follower does not read the store twice a second.
   */
  subscribe?(listener: (e: EventRecord) => void): () => void;
  /** The least time between two passes started by wake-ups (default 500 ms, the old poll): a burst costs no more. */
  wakeGapMs?: number;
}

/**
 * Opens incidents from what the engine and the alerts record, following the events table (EventFollower): a restart
 * resumes where it stopped, and each event opens at most one incident (the incident keeps its source event's id,
 * unique in the store), so the cursor moves once per batch and reading an event again costs nothing.
 */
export class IncidentFollower extends EventFollower {
  private readonly opener: IncidentOpener;

  constructor(db: Db, logger: Logger, options: FollowerOptions = {}) {
    super({
      db,
      logger,
      name: 'incident follower',
      cursor: 'incidents',
      batch: 500,
      maxAttempts: 5,
      pollMs: options.pollMs ?? (options.subscribe ? 5000 : 500),
      subscribe: options.subscribe,
      wakeGapMs: options.wakeGapMs ?? 500,
      heldBackWaitMs: 2000,
    });
    this.opener = new IncidentOpener(db, logger);
  }

  /** Idempotent: reading an event twice opens nothing twice and links nothing twice. */
  handle(e: EventRecord): Promise<void> {
    return this.opener.handle(e);
  }
}
