/**
 * Entry point of the notifier's thread (notify-thread.ts starts it): the dispatcher and the delivery worker, on the
 * coordinator's store opened again here. In a burst of deliveries their garbage was what paused the coordinator's
 * thread (its collector ran every ~0.5 s for 4–15 ms, `node --trace-gc` during bench:notify), and a deployment's
 * step waited for it. Here it pauses only this thread. What only the coordinator's thread has — the secrets vault,
 * the event log, the logger, the metrics — it asks there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Notifier } from '../notify/notifier.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import { lowerThisThreadTo } from '../shared/thread-priority.js';
import type { Db } from '../store/db.js';
import type { EventRecord } from '../store/repos/events.js';
import { openStoreShare } from '../store/store-share.js';
import { startNotifierHere } from './notifier-start.js';
import type {
  FromNotifyThread,
  LogLevel,
  NotifyThreadAsk,
  NotifyThreadStart,
  ToNotifyThread,
} from './notify-thread-protocol.js';

/**
 * Ten nice steps below the coordinator's thread and PGlite's, like the send thread: on a busy machine a burst's
 * dispatching takes the CPU a deployment's steps leave, not the reverse.
 */
const notifyThreadNice = 10;

const start = workerData as NotifyThreadStart;
const port = parentPort!;
const tell = (m: FromNotifyThread) => port.postMessage(m);

const asked = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextAsk = 1;
type Ask = NotifyThreadAsk extends infer A ? (A extends NotifyThreadAsk ? Omit<A, 'op' | 'id'> : never) : never;
function ask<T>(question: Ask): Promise<T> {
  const id = nextAsk++;
  return new Promise<T>((resolve, reject) => {
    asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
    tell({ ...question, op: 'ask', id } as NotifyThreadAsk);
  });
}

const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];
/** pino's calls (`(obj, msg)` or `(msg)`), written by the coordinator's logger; below its level, not even sent. */
function threadLogger(bindings: Record<string, unknown>): Logger {
  const least = levels.indexOf(start.logLevel as LogLevel);
  const at = (level: LogLevel) => (a: unknown, b?: unknown) => {
    if (least < 0 ? start.logLevel === 'silent' : levels.indexOf(level) < least) return;
    const obj = typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : {};
    const msg = typeof a === 'string' ? a : typeof b === 'string' ? b : undefined;
    tell({ op: 'log', level, bindings, obj, ...(msg !== undefined ? { msg } : {}) });
  };
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more: Record<string, unknown>) => threadLogger({ ...bindings, ...more }),
  };
  return logger as unknown as Logger;
}

let db: Db | undefined;
let notifier: Notifier | undefined;
let listener: ((e: EventRecord) => void) | undefined;

port.on('message', (m: ToNotifyThread) => {
  switch (m.op) {
    case 'recorded':
      listener?.(m.event);
      return;
    case 'answer': {
      const waiting = asked.get(m.id);
      asked.delete(m.id);
      if (m.error !== undefined) waiting?.reject(new Error(m.error));
      else waiting?.resolve(m.result);
      return;
    }
    case 'held':
      if (notifier) tell({ op: 'held', id: m.id, held: notifier.worker.held() });
      return;
    case 'close':
      void close();
  }
});

async function close(): Promise<void> {
  try {
    await notifier?.close();
    await db?.close();
  } finally {
    tell({ op: 'closed' });
  }
}

async function main(): Promise<void> {
  lowerThisThreadTo(notifyThreadNice);
  db = await openStoreShare(start.store);
  notifier = await startNotifierHere({
    db,
    secretsFor: (project, environment) => ask({ what: 'secrets', project, environment }),
    emit: (event) => ask({ what: 'emit', event }),
    subscribe: (l) => {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
    following: () => ask({ what: 'following' }),
    logger: threadLogger({}),
    linkBase: start.linkBase,
    onOutcome: (targetType, outcome) => tell({ op: 'outcome', targetType, outcome }),
    ...(start.pollMs ? { pollMs: start.pollMs } : {}),
    sendThread: start.sendThread,
  });
  tell({ op: 'started' });
}

main().catch(async (e: unknown) => {
  await db?.close().catch(() => undefined);
  tell({ op: 'failed', error: messageOf(e) });
});
