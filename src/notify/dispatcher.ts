/**
 * Follows the events table with one cursor. A pass reads the events after the cursor and composes a delivery for
 * every subscription an event's trigger matches; then ONE statement locks the cursor, checks that it has
 * not moved since, writes the deliveries and moves it: an event that is committed will be notified, and a crash
 * before the commit only reads the same events again (the idempotency key makes a second insert a no-op). Reading
 * and composing happen before that write, and the write is one statement (writeDispatch), so it holds the store for
 * a moment only (on PGlite a transaction holds the whole store for each of its round trips, and a deployment's step
 * waited behind a pass of a burst: 30–50 ms). The cursor is a
 * position in transaction order and only passes transactions that have all ended (listFinishedEvents): an event
 * whose lower id commits after a higher one is still read.
 */
import type { NotificationsConfig, ProjectConfig } from '../config/model.js';
import type { Db, Queryable } from '../store/db.js';
import {
  type EventPosition,
  type EventRecord,
  comparePositions,
  listFinishedEvents,
  startOfEvents,
} from '../store/repos/events.js';
import { type NewNotifyDelivery, readCursor, writeDispatch } from '../store/repos/notify-deliveries.js';
import { getProject } from '../store/repos/projects.js';
import { turnIfBusy } from '../store/event-loop-turns.js';
import { composeMessage } from './message.js';
import type { TemplateValues } from './template.js';
import { triggeringKinds, triggerOf } from './triggers.js';
import { valuesOf } from './values.js';

/** How long composing messages may run before the event loop gets a turn (ms). */
const composeSliceMs = 1;

export interface DispatcherOptions {
  db: Db;
  /** Base of deployment links when the config sets none (the coordinator address). */
  linkBase: string;
  /** Events read per transaction. */
  batch?: number;
}

/** The environment an event is about: its column, or what alerts and incidents put in their data. */
export function environmentOf(e: EventRecord): string | undefined {
  const labels = e.data.labels as Record<string, unknown> | undefined;
  const env = e.environment ?? e.data.environment ?? labels?.environment;
  return typeof env === 'string' ? env : undefined;
}

function serviceOf(e: EventRecord): string | undefined {
  const labels = e.data.labels as Record<string, unknown> | undefined;
  const service = e.service ?? e.data.service ?? labels?.service;
  return typeof service === 'string' ? service : undefined;
}

export class Dispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  /** The cursor as this dispatcher last moved it (the start before its first pass). */
  cursor: EventPosition = startOfEvents;
  /** Whether the last pass saw events of a triggering kind wait behind a transaction still running. */
  heldBack = false;

  /**
   * Handle the events after the cursor (one batch); returns how many deliveries were written. Only the kinds
   * that can fire a trigger are read: the steps and notification outcomes in between are skipped unread.
   */
  async dispatchOnce(): Promise<{ events: number; deliveries: number }> {
    const db = this.options.db;
    const cursor = await readCursor(db);
    const { events, readTo, heldBack } = await listFinishedEvents(db, {
      after: cursor,
      kinds: triggeringKinds,
      limit: this.options.batch ?? 200,
    });
    const configs = new Map<string, ProjectConfig | undefined>();
    const deliveries: NewNotifyDelivery[] = [];
    for (const event of events) {
      // Composing a batch's messages (up to 1,000 in bench:notify's burst) is the coordinator thread's work: a turn
      // of the event loop between every ~1 ms of it, so a deployment step's answer from the store is read meanwhile.
      const turn = turnIfBusy(composeSliceMs);
      if (turn) await turn;
      if (!event.project || !triggerOf(event)) continue;
      if (!configs.has(event.project)) configs.set(event.project, (await getProject(db, event.project))?.config);
      const notifications = configs.get(event.project)?.notifications;
      if (notifications) deliveries.push(...(await this.deliveriesOf(db, event, notifications)));
    }
    // Nothing to write and the cursor stays: no transaction (the last pass of every dispatchAll).
    if (deliveries.length === 0 && comparePositions(readTo, cursor) <= 0) {
      this.heldBack = heldBack;
      return { events: events.length, deliveries: 0 };
    }
    // Another dispatcher (a coordinator that was leader a moment ago) moved the cursor meanwhile: what this pass
    // read is its to write; read again from where it stands (writeDispatch writes nothing then).
    const written = await writeDispatch(db, cursor, deliveries, readTo);
    if (written === undefined) return { events: events.length, deliveries: 0 };
    this.cursor = readTo;
    this.heldBack = heldBack;
    return { events: events.length, deliveries: written };
  }

  /**
   * Dispatch until no event is left after the cursor; `written` is told after each pass that wrote deliveries, so the
   * worker can send them while a burst is still being dispatched (it no longer polls the outbox every 250 ms).
   */
  async dispatchAll(written?: () => void): Promise<number> {
    let total = 0;
    for (;;) {
      const { events, deliveries } = await this.dispatchOnce();
      total += deliveries;
      if (deliveries > 0) written?.();
      if (events === 0) return total;
    }
  }

  private async deliveriesOf(tx: Queryable, event: EventRecord, n: NotificationsConfig): Promise<NewNotifyDelivery[]> {
    const trigger = triggerOf(event)!;
    const environment = environmentOf(event);
    const service = serviceOf(event);
    let values: TemplateValues | undefined;
    const out: NewNotifyDelivery[] = [];
    for (const [index, s] of n.subscriptions.entries()) {
      if (!s.on.includes(trigger)) continue;
      if (s.environments && !(environment && s.environments.includes(environment))) continue;
      if (s.services && !(service && s.services.includes(service))) continue;
      values ??= await valuesOf(tx, event, trigger, n.link ?? this.options.linkBase);
      const template = s.template && n.templates[s.template];
      const { message, renderError } = composeMessage(
        trigger,
        values,
        event.at,
        template ? { name: s.template!, ...template } : undefined,
      );
      for (const target of s.to) {
        const config = n.services[target];
        if (!config) continue; // validation refuses this; a stored config from before the service was removed
        out.push({
          key: `slipway-${event.id}-${index}-${target}`,
          eventId: event.id,
          project: event.project,
          ...(environment ? { environment } : {}),
          ...(service ? { service } : {}),
          ...(event.deploymentId ? { deploymentId: event.deploymentId } : {}),
          trigger,
          target,
          targetType: config.type,
          message,
          ...(renderError ? { renderError } : {}),
        });
      }
    }
    return out;
  }
}
