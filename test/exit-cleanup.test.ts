import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killTagged, pidsWithEnv, taggedInstanceIds, until, untilTaggedGone } from './support/processes.js';
import { repoRoot } from './support/entry.js';

/**
 * Everything the demo and the benchmarks start for themselves is stopped when they end, however
 * they end: SIGTERM or Ctrl-C mid-run leaves no coordinator, proxy or instance behind, and a
 * missing tool is one line before anything starts.
 */
const tags: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const tag of tags.splice(0)) killTagged('SLIPWAY_RUN', tag);
});

function start(args: string[], tag: string, extraEnv: Record<string, string> = {}) {
  tags.push(tag);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, SLIPWAY_RUN: tag, SLIPWAY_ENTRY: 'dist', NO_COLOR: '1', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { child, output: () => out, exited };
}

// As the npm scripts run TypeScript (bench/support.ts says why not through tsx's CLI).
const tsx = ['--import', 'tsx'];

describe('what a command starts, it stops', () => {
  it('the demo, stopped by SIGTERM mid-run, leaves no process and no workspace behind', async () => {
    const tag = `exit-demo-${process.pid}-${Date.now()}`;
    const demo = start([path.join(repoRoot, 'dist/demo/main.js')], tag);
    await until('the demo to serve 1.0.0', () => /1\.0\.0 serves/.test(demo.output()), 90_000, 200);
    const workspace = /workspace (\S+)/.exec(demo.output())![1]!;
    expect(taggedInstanceIds('SLIPWAY_RUN', tag).length).toBeGreaterThanOrEqual(2);
    demo.child.kill('SIGTERM');
    expect(await demo.exited, demo.output()).toEqual({ code: 0, signal: null });
    await untilTaggedGone('SLIPWAY_RUN', tag);
    expect(existsSync(workspace)).toBe(false);
  }, 150_000);

  /** bench:canary started with `preload` flags, once the coordinator it started runs instances of its own. */
  async function canaryBenchRunning(tag: string, preload: string[] = []) {
    const bench = start(
      [...tsx, ...preload, 'bench/canary.ts', '--json', '--trials', '1', '--healthy-trials', '1'],
      tag,
    );
    // The stable release of a canary: two instances.
    await until(
      'the benchmark to start instances',
      () => taggedInstanceIds('SLIPWAY_RUN', tag).length >= 2,
      120_000,
      250,
    );
    return bench;
  }

  it('a benchmark killed by SIGTERM mid-run stops its coordinator, proxy and instances', async () => {
    const tag = `exit-bench-${process.pid}-${Date.now()}`;
    const bench = await canaryBenchRunning(tag);
    bench.child.kill('SIGTERM');
    const { code } = await bench.exited;
    expect(code).toBe(143);
    await untilTaggedGone('SLIPWAY_RUN', tag);
  }, 180_000);

  it('a benchmark stopped by Ctrl-C (SIGINT) mid-run stops its coordinator, proxy and instances', async () => {
    const tag = `exit-int-${process.pid}-${Date.now()}`;
    const bench = await canaryBenchRunning(tag);
    bench.child.kill('SIGINT');
    expect((await bench.exited).code).toBe(130);
    await untilTaggedGone('SLIPWAY_RUN', tag);
  }, 180_000);

  it('a benchmark that crashes mid-run (an uncaught error) stops its coordinator, proxy and instances', async () => {
    const tag = `exit-crash-${process.pid}-${Date.now()}`;
    // The crash: an error thrown from nowhere in the benchmark's own process once it has started its processes.
    const crash = `data:text/javascript,process.on('SIGUSR2', () => { throw new Error('a crash mid-run'); });`;
    const bench = await canaryBenchRunning(tag, ['--import', crash]);
    bench.child.kill('SIGUSR2');
    const { code } = await bench.exited;
    expect(code).not.toBe(0);
    expect(bench.output()).toContain('a crash mid-run');
    await untilTaggedGone('SLIPWAY_RUN', tag);
  }, 180_000);

  it('bench:zero-downtime without wrk says so in one line and starts nothing', () => {
    const tag = `exit-wrk-${process.pid}-${Date.now()}`;
    tags.push(tag);
    const emptyPath = mkdtempSync(path.join(tmpdir(), 'slipway-no-wrk-'));
    try {
      const r = spawnSync(process.execPath, [...tsx, 'bench/zero-downtime.ts', '--json'], {
        cwd: repoRoot,
        env: { ...process.env, PATH: emptyPath, SLIPWAY_RUN: tag, SLIPWAY_ENTRY: 'dist' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe(
        'bench:zero-downtime: wrk is not installed (apt-get install wrk); it measures the proxy overhead',
      );
      expect(pidsWithEnv('SLIPWAY_RUN', tag)).toEqual([]);
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  }, 90_000);
});
