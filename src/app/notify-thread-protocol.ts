/**
 * What the coordinator's thread and the notifier's thread (notify-thread.ts, notify-thread-main.ts) tell each other.
 */
import type { DeliveryWorker } from '../notify/worker.js';
import type { StoreShare } from '../store/db.js';
import type { EventRecord, NewEvent } from '../store/repos/events.js';

export interface NotifyThreadStart {
  /** The coordinator's store, opened again in the thread (Db.forThread). */
  store: StoreShare;
  linkBase: string;
  pollMs?: number;
  /** The coordinator's log level: the thread does not even send what would not be written. */
  logLevel: string;
  /** Send from a thread of the notifier's own (send-thread.ts), as on the coordinator's thread. */
  sendThread: boolean;
}

export type HeldDeliveries = ReturnType<DeliveryWorker['held']>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Coordinator → notifier. */
export type ToNotifyThread =
  /** An event of a triggering kind was recorded in this process: dispatch now, not at the next poll. */
  | { op: 'recorded'; event: EventRecord }
  | { op: 'answer'; id: number; result?: unknown; error?: string }
  | { op: 'held'; id: number }
  | { op: 'close' };

/** Notifier → coordinator: what only the coordinator's thread has (the vault, the event log, the logger, metrics). */
export type FromNotifyThread =
  | { op: 'started' }
  | { op: 'failed'; error: string }
  | { op: 'ask'; id: number; what: 'secrets'; project: string; environment: string }
  | { op: 'ask'; id: number; what: 'emit'; event: NewEvent }
  | { op: 'ask'; id: number; what: 'following' }
  | { op: 'log'; level: LogLevel; bindings: Record<string, unknown>; obj: Record<string, unknown>; msg?: string }
  | { op: 'outcome'; targetType: string; outcome: 'sent' | 'retry' | 'failed' }
  | { op: 'held'; id: number; held: HeldDeliveries }
  | { op: 'closed' };

export type NotifyThreadAsk = Extract<FromNotifyThread, { op: 'ask' }>;
