/**
 * Entry point of the thread that runs PGlite for a coordinator (pglite-thread.ts starts it). PGlite executes a
 * statement synchronously in WebAssembly; on the coordinator's own thread that was half of its busy time during a
 * notification burst, and every HTTP response, timer and deployment step waited for it. Here it waits only for
 * the statement before it. Requests run one at a time, a running deployment's first, then the foreground lane's;
 * while a transaction is open its statements (`tx` set) go to it and anything else waits for it to end, like
 * PGlite's own lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PreparedStatements } from './pglite-prepared.js';
import { sharedNow, type ThreadTimes, tracingPglite } from './pglite-trace.js';
import { type Lane, StatementLanes } from './statement-lanes.js';
import { installPgliteArrayParsers, pgliteParsers } from './type-parsers.js';

/** What the coordinator's thread asks; `tx` marks a statement of the open transaction. */
export type ThreadRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: boolean; lane?: Lane }
  | { id: number; op: 'exec'; sql: string; tx?: boolean; lane?: Lane }
  | { id: number; op: 'begin'; lane?: Lane }
  | { id: number; op: 'commit' | 'rollback'; tx: true }
  | { id: number; op: 'dump'; lane?: Lane }
  | { id: number; op: 'close' };

/** What the coordinator's thread tells without waiting for an answer: a running deployment will write at `at` (ms,
 * performance.timeOrigin + performance.now(), which both threads share). */
export type ThreadNotice = { op: 'due'; at: number };

/** The fields of a failed statement that toSqlError reads (an Error loses its own properties in a message). */
export interface ThreadError {
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** `t`: where the request's time went in this thread, when traced (pglite-trace.ts). */
export type ThreadAnswer = { id: number; result?: unknown; error?: ThreadError; t?: ThreadTimes };

export interface ThreadStart {
  dataDir?: string;
  /** A dumpDataDir() tarball to start from, as bytes. */
  loadDataDir?: ArrayBuffer;
}

const port = parentPort!;
const start = workerData as ThreadStart;

function errorOf(e: unknown): ThreadError {
  const f = (e ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    message: text(f.message) ?? String(e),
    ...(text(f.code) ? { code: text(f.code) } : {}),
    ...(text(f.constraint) ? { constraint: text(f.constraint) } : {}),
    ...(text(f.table) ? { table: text(f.table) } : {}),
    ...(text(f.column) ? { column: text(f.column) } : {}),
  };
}

/** Requests read and not yet answered, with their times, while SLIPWAY_PGLITE_TRACE=1 (pglite-trace.ts). */
const times = tracingPglite() ? new Map<number, ThreadTimes>() : undefined;
const readNow = (id: number) => times?.set(id, { read: sharedNow(), start: 0, end: 0 });
const startNow = (id: number) => {
  const t = times?.get(id);
  if (t) t.start = sharedNow();
};
/** The request's times, ended now, to send with its answer (nothing when not traced). */
const timesOf = (id: number): { t?: ThreadTimes } => {
  const t = times?.get(id);
  if (!t) return {};
  times!.delete(id);
  t.end = sharedNow();
  return { t };
};

/** Answer a request, with its times when traced (every answer goes through here, so none is left behind). */
const post = (a: ThreadAnswer, transfer: ArrayBuffer[] = []) =>
  port.postMessage(times ? { ...a, ...timesOf(a.id) } : a, transfer);

const answer = (id: number, work: () => Promise<unknown>, transfer: ArrayBuffer[] = []) =>
  work().then(
    (result) => post({ id, result }, transfer),
    (e: unknown) => post({ id, error: errorOf(e) }),
  );

/** A statement, in the open transaction (`tx`) or not: PGlite's own transaction() only brackets them. */
async function statement(on: PreparedStatements, r: ThreadRequest, tx?: Transaction): Promise<unknown> {
  if (r.op === 'exec') return void (await on.exec(r.sql, tx));
  if (r.op !== 'query') throw new Error(`${r.op} is not a statement`);
  const { rows, affectedRows } = await on.query(r.sql, r.params);
  return { rows, affectedRows };
}

/** Statements of the open transaction, and the waiter for the next one. */
const txInbox: ThreadRequest[] = [];
let txWaiter: (() => void) | undefined;
const nextTxRequest = async (): Promise<ThreadRequest> => {
  while (txInbox.length === 0) await new Promise<void>((r) => (txWaiter = r));
  return txInbox.shift()!;
};

class RolledBack extends Error {}

/** Open a transaction, answer `begin`, then run its statements until commit or rollback. */
async function transaction(pglite: PGlite, statements: PreparedStatements, begin: ThreadRequest): Promise<void> {
  let ended: ThreadRequest | undefined;
  try {
    await pglite.transaction(async (tx) => {
      post({ id: begin.id });
      for (;;) {
        const r = await nextTxRequest();
        if (r.op === 'commit' || r.op === 'rollback') {
          ended = r;
          if (r.op === 'rollback') throw new RolledBack();
          return;
        }
        startNow(r.id);
        await answer(r.id, () => statement(statements, r, tx));
      }
    });
    post({ id: ended!.id });
  } catch (e) {
    if (!ended) post({ id: begin.id, error: errorOf(e) });
    else if (e instanceof RolledBack) post({ id: ended.id });
    else post({ id: ended.id, error: errorOf(e) });
  }
}

/**
 * How the background gives way to a deployment write the engine announced (statement-lanes.ts): a statement starts
 * only if the last ones of its SQL would end before the time (6 ms for one not seen yet: most background statements of
 * bench:notify's burst took 2–6 ms), not until 10 ms after it (in the burst the engine's timers fired up to 8 ms late),
 * and waits for that 25 ms, 50 ms at most. After a deployment's statement it waits up to 25 ms for the step's next one
 * (instead of `holdMs`), unless the deployment announces its next wait first: its step is then over. (6 ms was too
 * short on a slower machine: a 6.6 ms pause of the coordinator's thread between a step's two statements let a 16 ms
 * claim in before the second, `bench:notify --trace`.)
 */
const reserve = { holdAfterDeploymentMs: 25, beforeMs: 6, afterMs: 10, maxWaitMs: 25 };

/**
 * How long the background lane waits for the foreground's next statement: most steps sent their second statement
 * within 0.1–2 ms of the first's end (bench:notify, loaded machine), a background batch took 5–100 ms.
 */
const holdMs = 2;

async function main(): Promise<void> {
  const pglite = new PGlite({
    parsers: pgliteParsers,
    ...(start.dataDir ? { dataDir: start.dataDir } : {}),
    ...(start.loadDataDir ? { loadDataDir: new Blob([start.loadDataDir]) } : {}),
  });
  await pglite.waitReady;
  await installPgliteArrayParsers(pglite);
  const statements = new PreparedStatements(pglite);
  // One request at a time; the coordinator's thread sends each at once with its lane: a running deployment's own
  // writes go first, then the foreground's (the API, other events), then the background (statement-lanes.ts). The
  // next is picked on the next turn of this thread's loop, once the messages that came meanwhile are read. A
  // transaction holds the store until it ends. The background lane waits up to `holdMs` after a deployment's or a
  // foreground statement for the next one of the same step, and gives way to the deployment writes announced ahead
  // (`due`, statement-lanes.ts).
  const lanes = new StatementLanes(2, setImmediate, holdMs, reserve);
  port.on('message', (r: ThreadRequest | ThreadNotice) => {
    if (r.op === 'due') return lanes.expectDeployment(r.at - performance.timeOrigin);
    readNow(r.id);
    if ('tx' in r && r.tx) {
      txInbox.push(r);
      txWaiter?.();
      txWaiter = undefined;
      return;
    }
    void lanes.run(
      ('lane' in r && r.lane) || 'foreground',
      () => {
        startNow(r.id);
        return handle(pglite, statements, r);
      },
      'sql' in r ? r.sql : r.op,
    );
  });
  post({ id: 0 });
}

async function handle(pglite: PGlite, statements: PreparedStatements, r: ThreadRequest): Promise<void> {
  switch (r.op) {
    case 'begin':
      return transaction(pglite, statements, r);
    case 'dump': {
      // The bytes are moved to the coordinator's thread, not copied.
      const bytes = await pglite
        .dumpDataDir('none')
        .then((b) => b.arrayBuffer())
        .catch((e: unknown) => e);
      if (bytes instanceof ArrayBuffer) post({ id: r.id, result: bytes }, [bytes]);
      else post({ id: r.id, error: errorOf(bytes) });
      return;
    }
    case 'close':
      // The coordinator's thread ends this one once answered.
      await answer(r.id, () => pglite.close());
      return;
    default:
      await answer(r.id, () => statement(statements, r));
  }
}

main().catch((e: unknown) => post({ id: 0, error: errorOf(e) }));
