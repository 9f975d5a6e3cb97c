import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../src/runtimes/local/port.js';
import { repoRoot } from './entry.js';
import { until } from './processes.js';

/**
 * The harbor-platform example's processes, started directly (not through Slipway) for tests:
 * the FastAPI backend on Debian's python and the harbor-quote pricing service.
 */
export const platformDir = path.join(repoRoot, 'examples/harbor-platform');
/** Debian's python: the one with python3-fastapi, python3-uvicorn and python3-psycopg. */
export const debianPython = '/usr/bin/python3';

/** A process a test started; `stop()` (idempotent) sends SIGTERM, then SIGKILL after 10 s. */
export interface Started {
  url: string;
  child: ChildProcess;
  /** The last 8 kB it wrote to stdout and stderr, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function startProcess(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; port: number; ready?: string },
): Promise<Started> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: string) => (output = (output + chunk).slice(-8_000));
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    })());
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await until(
      `${what} to answer ${options.ready ?? '/health'}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${output.trim()}`);
        const res = await fetch(`${url}${options.ready ?? '/health'}`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        return res.status < 500 || res.status === 503;
      },
      30_000,
      100,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, child, output: () => output, stop };
}

/** harbor-quote (Node) on a free port, as release `release`. */
export async function startPricing(release: string, env: Record<string, string> = {}): Promise<Started> {
  const port = await findFreePort();
  return startProcess(`harbor-quote ${release}`, process.execPath, ['server.js', String(port)], {
    cwd: path.join(repoRoot, 'examples/harbor-quote'),
    env: { APP_VERSION: release, ...env },
    port,
  });
}

/** The FastAPI backend as release `release`, run by uvicorn on a free port. */
export async function startBackend(release: string, databaseUrl: string, pricingUrl: string): Promise<Started> {
  const port = await findFreePort();
  const args = ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port), '--no-access-log'];
  return startProcess(`harbor-platform backend ${release}`, debianPython, args, {
    cwd: path.join(platformDir, 'backend'),
    // PYTHONDONTWRITEBYTECODE: no __pycache__ left in the example directory.
    env: { APP_VERSION: release, DATABASE_URL: databaseUrl, PRICING_URL: pricingUrl, PYTHONDONTWRITEBYTECODE: '1' },
    port,
  });
}

/** Run the up scripts of one release's migrations, in order, on `databaseUrl`. */
export async function migrate(databaseUrl: string, release: string, files: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const file of files)
      await client.query(readFileSync(path.join(platformDir, 'releases', release, 'migrations', file), 'utf8'));
  } finally {
    await client.end();
  }
}
