/**
 * Where a deployment step's time goes during bench:notify's burst (`--trace`): every synchronous PGlite call
 * (execProtocolRawSync, the WASM doing the work) with the statement it ran, garbage collection pauses, and the turns
 * of the event loop that ran long (a 1 ms interval timer that fired late), so the slowest steps can be explained
 * as PGlite statements, GC, other JavaScript on the loop, or the CPU taken by other processes.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import type { TracedRequest } from '../src/store/pglite-trace.js';
import { type Lane, StatementLanes } from '../src/store/statement-lanes.js';

interface Span {
  start: number;
  ms: number;
  what: string;
}

const calls: Span[] = [];
const gcs: Span[] = [];
const stalls: Span[] = [];
/** Every operation of the store's lanes: queued, started and settled (performance.now()). */
const ops: { lane: Lane; queued: number; started: number; settled: number }[] = [];
let current = '';

/** The SQL of each named prepared statement (src/store/pglite-prepared.ts), from the Parse messages seen. */
const named = new Map<string, string>();
const short = (sql: string) => sql.replace(/\s+/g, ' ').slice(0, 48);

/**
 * The statement a protocol message runs: the SQL of a Query ('Q'), or of the Parse ('P') or the Bind ('B') of a
 * named statement; one crossing carries several messages (Close, Parse, Describe, Sync or Bind, Execute, Sync).
 */
function statementOf(message: Uint8Array): string {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const cString = (at: number) => {
    const end = bytes.indexOf(0, at);
    return { text: bytes.toString('utf8', at, end < 0 ? bytes.length : end), next: end + 1 };
  };
  let what = current;
  for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) {
    const type = bytes[at];
    if (type === 0x51) what = short(cString(at + 5).text);
    else if (type === 0x50) {
      const name = cString(at + 5);
      const sql = short(cString(name.next).text);
      if (name.text) named.set(name.text, sql);
      what = sql;
    } else if (type === 0x42) {
      const statement = cString(cString(at + 5).next).text;
      if (statement) what = named.get(statement) ?? what;
    }
  }
  return what;
}

export function startTrace(): void {
  const lanes = StatementLanes.prototype as unknown as { run<T>(lane: Lane, op: () => Promise<T>): Promise<T> };
  const run = lanes.run;
  lanes.run = function <T>(this: StatementLanes, lane: Lane, operation: () => Promise<T>) {
    const op = { lane, queued: performance.now(), started: 0, settled: 0 };
    ops.push(op);
    return run.call(this, lane, () => {
      op.started = performance.now();
      return operation().finally(() => {
        op.settled = performance.now();
      });
    }) as Promise<T>;
  };
  const proto = PGlite.prototype as unknown as { execProtocolRawSync(m: Uint8Array): Uint8Array };
  const original = proto.execProtocolRawSync;
  proto.execProtocolRawSync = function (this: unknown, message: Uint8Array) {
    current = statementOf(message);
    const start = performance.now();
    try {
      return original.call(this, message);
    } finally {
      calls.push({ start, ms: performance.now() - start, what: current });
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, what: 'gc' });
  }).observe({ entryTypes: ['gc'] });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 5) stalls.push({ start: last, ms: now - last, what: 'stall' });
    last = now;
  }, 1).unref();
}

const within = (spans: Span[], from: number, to: number) => spans.filter((s) => s.start >= from && s.start < to);
const sum = (spans: Span[]) => Math.round(spans.reduce((t, s) => t + s.ms, 0) * 10) / 10;

/** PGlite time by statement, most first. */
function byStatement(spans: Span[], top = 6) {
  const totals = new Map<string, { n: number; ms: number; maxMs: number }>();
  for (const s of spans) {
    const t = totals.get(s.what) ?? { n: 0, ms: 0, maxMs: 0 };
    t.n += 1;
    t.ms += s.ms;
    t.maxMs = Math.max(t.maxMs, s.ms);
    totals.set(s.what, t);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([what, t]) => ({ what, n: t.n, ms: Math.round(t.ms * 10) / 10, maxMs: Math.round(t.maxMs * 10) / 10 }));
}

/** How long background operations held the store (a foreground one waits for at most the one in flight). */
function holds(from: number, to: number) {
  const ms = ops
    .filter((o) => o.lane === 'background' && o.started >= from && o.started < to && o.settled > 0)
    .map((o) => o.settled - o.started)
    .sort((a, b) => a - b);
  const q = (p: number) => Math.round((ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0) * 10) / 10;
  return { n: ms.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) };
}

export interface StepWindow {
  start: number;
  ms: number;
  cpuMs: number;
}

/** The slowest steps, each with what ran during it; and the loop's long turns over the whole window. */
export function explain(steps: StepWindow[], from: number, to: number, slowest = 5) {
  const worst = [...steps].sort((a, b) => b.ms - a.ms).slice(0, slowest);
  const turns = within(stalls, from, to);
  const bucket = (lo: number, hi: number) => turns.filter((s) => s.ms >= lo && s.ms < hi).length;
  return {
    slowSteps: worst.map((s) => {
      const end = s.start + s.ms;
      const pg = within(calls, s.start, end);
      const mine = ops.filter((o) => o.lane === 'foreground' && o.queued >= s.start && o.settled <= end + 0.01);
      const held = ops.filter((o) => o.lane === 'background' && o.started < end && o.settled > s.start);
      return {
        foregroundOps: mine.map((o) => ({
          waitMs: Math.round((o.started - o.queued) * 10) / 10,
          runMs: Math.round((o.settled - o.started) * 10) / 10,
        })),
        backgroundHoldsMs: held.map((o) => Math.round((o.settled - o.started) * 10) / 10),
        ms: Math.round(s.ms * 10) / 10,
        processCpuMs: Math.round(s.cpuMs * 10) / 10,
        pgliteMs: sum(pg),
        gcMs: sum(within(gcs, s.start, end)),
        longestTurnMs: Math.round(Math.max(0, ...within(stalls, s.start - 50, end).map((t) => t.ms)) * 10) / 10,
        pglite: byStatement(pg),
      };
    }),
    backgroundHoldMs: holds(from, to),
    longTurns: {
      '5-10ms': bucket(5, 10),
      '10-20ms': bucket(10, 20),
      '20-50ms': bucket(20, 50),
      '50ms+': bucket(50, 1e9),
    },
    longestPgliteCalls: [...within(calls, from, to)]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8)
      .map((c) => ({ what: c.what, ms: Math.round(c.ms * 10) / 10 })),
    pgliteByStatement: byStatement(within(calls, from, to), 10),
    gc: {
      n: within(gcs, from, to).length,
      ms: sum(within(gcs, from, to)),
      maxMs: Math.max(0, ...within(gcs, from, to).map((g) => g.ms)),
    },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * With PGlite in its thread (SLIPWAY_PGLITE_TRACE=1, pglite-trace.ts): for each of the slowest steps, where each of
 * its requests spent its time — on the way to PGlite's thread (`toThreadMs`: that thread busy or not running), waiting
 * for its lane's turn there (`queuedMs`), running (`ranMs`), and its answer waiting for this thread (`backMs`: this
 * thread busy) — and the other lanes' statements that ran while it waited. `phasesMs` sums the phases over the
 * `slowest` steps: what the tail is made of.
 */
export function explainThread(steps: StepWindow[], traced: TracedRequest[], slowest = 10) {
  const worst = [...steps].sort((a, b) => b.ms - a.ms).slice(0, slowest);
  const phasesMs = { toThread: 0, queued: 0, ran: 0, back: 0, betweenRequests: 0 };
  const explained = worst.map((s) => {
    const from = performance.timeOrigin + s.start;
    const to = from + s.ms;
    // The step's own requests: the benchmark's steps write in the deployment lane, as the executor does.
    const own = traced.filter((r) => r.lane === 'deployment' && r.sent >= from && r.settled <= to + 0.01);
    const requests = own.map((r) => {
      const before = traced
        .filter((o) => !own.includes(o) && o.end > r.sent && o.start < r.start)
        .map((o) => ({ lane: o.lane, what: o.what, ranMs: round(o.end - o.start) }));
      phasesMs.toThread += r.read - r.sent;
      phasesMs.queued += r.start - r.read;
      phasesMs.ran += r.end - r.start;
      phasesMs.back += r.settled - r.end;
      return {
        lane: r.lane,
        what: r.what,
        toThreadMs: round(r.read - r.sent),
        queuedMs: round(r.start - r.read),
        ranMs: round(r.end - r.start),
        backMs: round(r.settled - r.end),
        ranBeforeIt: before,
      };
    });
    const inRequests = own.reduce((t, r) => t + (r.settled - r.sent), 0);
    phasesMs.betweenRequests += s.ms - inRequests;
    return { ms: round(s.ms), gcMs: sum(within(gcs, s.start, s.start + s.ms)), requests };
  });
  for (const k of Object.keys(phasesMs) as (keyof typeof phasesMs)[]) phasesMs[k] = round(phasesMs[k]);
  return { slowest, phasesMs, slowSteps: explained.slice(0, 5) };
}
