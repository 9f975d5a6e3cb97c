/**
 * Diagnostics for bench/scale.ts (--profile-waits): where a step's time goes. Each deployment's loop runs in an
 * AsyncLocalStorage context naming the deployment, so every statement, event write and route push made from it is
 * charged to the step the deployment is on. Per statement on PostgreSQL: the wait for a pooled connection apart from
 * the time on the connection. Also the event loop's delay (a step that only waits its turn to run shows there).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type pg from 'pg';
import { Executor } from '../src/engine/executor.js';
import type { EventLog } from '../src/engine/event-log.js';
import type { TrafficController } from '../src/engine/traffic-controller.js';
import type { Db } from '../src/store/db.js';
import { timeQueries } from './support.js';

type Totals = { steps: number; ms: number; queryMs: number; queries: number; poolWaitMs: number; pushMs: number };
type Open = {
  kind: string;
  at: number;
  queryMs: number;
  queries: number;
  poolWaitMs: number;
  pushMs: number;
  emitMs: number;
  /** What the step waited for, in order of ending: "+start..end what". */
  marks: string[];
};

const deployment = new AsyncLocalStorage<string>();
/** The step each deployment is on, with what was charged to it so far (one profile per process: bench runs one). */
let charge: (field: Field, ms: number, id?: string, what?: string) => void = () => undefined;
type Field = 'queryMs' | 'poolWaitMs' | 'pushMs' | 'emitMs';
let patched = false;

/** Run every deployment loop in its context. */
function patchPrototypes() {
  if (patched) return;
  patched = true;
  const loopProto = Executor.prototype as unknown as { loop: (id: string, c: AbortController) => Promise<void> };
  const loop = loopProto.loop;
  loopProto.loop = function (this: Executor, id: string, c: AbortController) {
    return deployment.run(id, () => loop.call(this, id, c));
  };
}

/** Install the hooks; call the returned `stepBoundary` at each step start / finish and `report` at the end. */
export function profileWaits(db: Db, traffic: TrafficController, events: EventLog) {
  patchPrototypes();
  const open = new Map<string, Open>();
  const byKind = new Map<string, Totals>();
  const timelines = new Map<string, { ms: number; marks: string[] }[]>();
  charge = (field: Field, ms: number, id = deployment.getStore(), what?: string) => {
    const o = id ? open.get(id) : undefined;
    if (!o) return;
    o[field] += ms;
    if (field === 'queryMs') o.queries++;
    const end = performance.now() - o.at;
    const label = what ?? field;
    o.marks.push(`+${Math.round(end - ms)}..${Math.round(end)} ${label}`);
  };

  timeQueries(db, (sql, ms) => charge('queryMs', ms, undefined, sql.replace(/\s+/g, ' ').slice(0, 40)));
  // The wait for a pooled connection (pool.query asks pool.connect first); the deployment is known at the call, not
  // in the callback (a queued request is handed its client from whichever statement released one).
  const pool = (db as unknown as { pool?: pg.Pool }).pool;
  if (pool) {
    const connect = pool.connect.bind(pool) as (cb: (...a: unknown[]) => void) => void;
    (pool as unknown as { connect: unknown }).connect = (cb?: (...a: unknown[]) => void) => {
      if (typeof cb !== 'function') return (connect as unknown as () => Promise<unknown>)();
      const id = deployment.getStore();
      const t = performance.now();
      return connect((...a: unknown[]) => {
        charge('poolWaitMs', performance.now() - t, id);
        cb(...a);
      });
    };
  }
  const push = traffic.push.bind(traffic);
  traffic.push = (project: string, environment: string, service?: string) => {
    const t = performance.now();
    return push(project, environment, service).finally(() => charge('pushMs', performance.now() - t));
  };
  const emit = events.emit.bind(events);
  events.emit = (event) => {
    const t = performance.now();
    const id = deployment.getStore();
    return emit(event).finally(() => charge('emitMs' as Field, performance.now() - t, id, `emit ${event.kind}`));
  };

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const poolWaiting: number[] = [];
  const sampler = pool ? setInterval(() => poolWaiting.push(pool.waitingCount), 20) : undefined;
  sampler?.unref();

  return {
    stepBoundary(id: string, kind: string | undefined, at: number) {
      const o = open.get(id);
      if (o) {
        const t = byKind.get(o.kind) ?? { steps: 0, ms: 0, queryMs: 0, queries: 0, poolWaitMs: 0, pushMs: 0 };
        t.steps++;
        t.ms += at - o.at;
        t.queryMs += o.queryMs;
        t.queries += o.queries;
        t.poolWaitMs += o.poolWaitMs;
        t.pushMs += o.pushMs;
        byKind.set(o.kind, t);
      }
      if (o) (timelines.get(o.kind) ?? timelines.set(o.kind, []).get(o.kind)!).push({ ms: at - o.at, marks: o.marks });
      if (kind) open.set(id, { kind, at, queryMs: 0, queries: 0, poolWaitMs: 0, pushMs: 0, emitMs: 0, marks: [] });
      else open.delete(id);
    },
    report() {
      loopDelay.disable();
      if (sampler) clearInterval(sampler);
      const r = (x: number) => Math.round(x * 10) / 10;
      const ms = (ns: number) => r(ns / 1e6);
      return {
        // Mean per step of each kind: its time, the time inside statements (pool wait + on the connection), the
        // wait for a pooled connection, the time in route pushes, and how many statements.
        perStepMeans: Object.fromEntries(
          [...byKind].map(([k, t]) => [
            k,
            {
              ms: r(t.ms / t.steps),
              inStatementsMs: r(t.queryMs / t.steps),
              poolWaitMs: r(t.poolWaitMs / t.steps),
              inRoutePushMs: r(t.pushMs / t.steps),
              statements: r(t.queries / t.steps),
            },
          ]),
        ),
        // Per kind, the three steps at its 95th percentile: what each waited for.
        atP95: Object.fromEntries(
          [...timelines].map(([k, list]) => {
            const sorted = [...list].sort((a, b) => a.ms - b.ms);
            const i = Math.floor(0.95 * sorted.length);
            return [k, sorted.slice(Math.max(0, i - 1), i + 2).map((t) => [Math.round(t.ms), ...t.marks])];
          }),
        ),
        eventLoopDelayMs: {
          p50: ms(loopDelay.percentile(50)),
          p99: ms(loopDelay.percentile(99)),
          max: ms(loopDelay.max),
        },
        ...(pool
          ? {
              poolWaitingMean: r(poolWaiting.reduce((a, b) => a + b, 0) / Math.max(1, poolWaiting.length)),
              poolWaitingMax: Math.max(0, ...poolWaiting),
            }
          : {}),
      };
    },
  };
}
