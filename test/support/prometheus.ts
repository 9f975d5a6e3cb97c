import { reservePort } from './test-ports.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

const binary = '/usr/bin/prometheus';

/** A Prometheus server a test started; `stop()` kills it and removes its data (idempotent). */
export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): Promise<void>;
}

/**
 * Run the Debian `prometheus` binary on a free loopback port with its own config (one job
 * scraping `scrapeTargets`, host:port each, at /metrics) and a temporary TSDB; resolves once
 * `/-/ready` answers. Installs the package first when the binary is missing; never skips.
 */
export async function startPrometheus(options: {
  scrapeTargets: string[];
  scrapeIntervalMs?: number;
}): Promise<RunningPrometheus> {
  ensureInstalled();
  const interval = `${options.scrapeIntervalMs ?? 1000}ms`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-prometheus-'));
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [{ job_name: 'slipway-test', static_configs: [{ targets: options.scrapeTargets }] }],
  };
  await writeFile(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await reservePort();
  const child = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, () => (child.exitCode !== null || child.signalCode !== null ? stderr : undefined));
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

async function waitUntilReady(url: string, exitedWith: () => string | undefined, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const died = exitedWith();
    if (died !== undefined)
      throw new Error(`prometheus exited before it was ready: ${died.trim().split('\n').slice(-5).join(' | ')}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus at ${url} was not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Install the Debian package when the binary is missing; one clear line when that fails. */
function ensureInstalled(): void {
  if (existsSync(binary)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { env, stdio: 'ignore', timeout: 300_000 });
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', 'prometheus'], { env, stdio: 'ignore', timeout: 600_000 })
      : update;
  // The package may start a system service on :9090; the tests use their own servers only.
  if (install.status === 0) spawnSync('service', ['prometheus', 'stop'], { stdio: 'ignore', timeout: 30_000 });
  if (!existsSync(binary)) throw new Error('prometheus is not installed (apt-get install prometheus)');
}
