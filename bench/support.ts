// WebAssembly (PGlite, the parser) as every Slipway process runs it (src/shared/wasm-baseline.ts).
import '../src/shared/wasm-baseline.js';
import type { Db } from '../src/store/db.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { request } from 'undici';
import { runCleanups, tagThisRun } from '../src/shared/exit-cleanup.js';

/** Shared pieces of the benchmarks: process handling, waiting, output. */

export const wantsJson = process.argv.includes('--json');

// Every process a benchmark starts inherits this tag and is stopped when the benchmark ends,
// however it ends (finished, crashed, SIGTERM from a timeout, Ctrl-C). The npm scripts run benchmarks as
// `node --import tsx`, not through tsx's CLI: that CLI relays a signal to its child and SIGKILLs the child when it has
// not acknowledged within ~60 ms, which a busy benchmark on a loaded machine does not, so no cleanup ran and its
// coordinator, proxy and instances were left running (test/exit-cleanup.test.ts, seen under load).
tagThisRun();

/** Facts about the machine the figures were measured on. */
export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version };
}

/**
 * User and system CPU (ms) from a /proc stat file: `/proc/PID/stat` for a process (all its threads),
 * `/proc/PID/task/TID/stat` for one thread. Load-independent, unlike wall time. Throws when the process is gone.
 */
export function statCpuMs(stat: string): { user: number; system: number } {
  // After the command name (which may hold spaces): utime and stime are fields 14 and 15, in ticks of 10 ms.
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

/** CPU time (ms) a process has used, all its threads. */
export function processCpuMs(pid: number): number {
  const { user, system } = statCpuMs(`/proc/${pid}/stat`);
  return user + system;
}

/** The value at quantile `q` (0–1) of `values` (the one at floor(q × n) once sorted), or null when there is none. */
export function quantile(values: number[], q: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Log progress to stderr (stdout is for the result). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Spawn a process whose output goes to stderr when it fails; returns it. */
export function launch(command: [string, string[]], env: Record<string, string> = {}, cwd?: string): ChildProcess {
  const child = spawn(command[0], command[1], {
    env: { ...process.env, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (code && code !== 0)
      progress(`${command[1].join(' ')} exited ${code ?? signal}: ${output.trim().split('\n').slice(-5).join(' | ')}`);
  });
  return child;
}

/** Poll a URL until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await request(url, { headersTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode < 300) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stop a child: SIGTERM, then SIGKILL after a grace period. */
export async function stop(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Ask a coordinator to shut down with its instances, wait for it to exit, and SIGTERM (then SIGKILL) it when it has
 * not within `waitMs`. Bounded as a whole — the request included — so a benchmark's cleanup ends well inside the
 * exit-cleanup limit even when the coordinator is too busy to answer.
 */
export async function shutDownCoordinator(
  client: { call(method: 'POST', path: string, body: unknown): Promise<unknown> },
  coordinator: ChildProcess,
  waitMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  const running = () => coordinator.exitCode === null && coordinator.signalCode === null;
  if (running()) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.call('POST', '/api/v1/system/shutdown', { stopInstances: true }).catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, waitMs))),
    ]);
    clearTimeout(timer);
  }
  while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await stop(coordinator);
}

/** Print the result: JSON with --json, otherwise JSON too but indented for people. Then stop whatever is left. */
export async function printResult(result: unknown): Promise<void> {
  process.stdout.write(`${JSON.stringify(result, null, wantsJson ? 0 : 2)}\n`);
  await runCleanups();
}

/** End with one line on stderr and exit code 2 (a missing tool, a bad flag), after stopping what was started. */
export async function refuse(message: string): Promise<never> {
  process.stderr.write(`${message}\n`);
  await runCleanups();
  process.exit(2);
}

/** Time every statement a store runs: `seen(sql, ms)` after each, however it ended (benchmark diagnostics only). */
export function timeQueries(db: Db, seen: (sql: string, ms: number) => void): void {
  const query = db.query.bind(db);
  db.query = (async (sql: string, params?: unknown[]) => {
    const t = performance.now();
    try {
      return await query(sql, params);
    } finally {
      seen(sql, performance.now() - t);
    }
  }) as Db['query'];
}
