/**
 * A real HAProxy (Debian's /usr/sbin/haproxy) per test, driven by HaproxyRouter, with real upstreams on
 * 127.0.0.1. Every haproxy started here is recorded and killed in `stopAllHaproxy` (afterAll), so a
 * failing test never leaves one behind.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { HaproxyRouter } from '../src/traffic/haproxy/haproxy-router.js';
import { type HaproxyProcess, startHaproxy } from '../src/traffic/haproxy/haproxy-process.js';
import { MasterCli } from '../src/traffic/haproxy/master-cli.js';
import { masterSocket } from '../src/traffic/haproxy/files.js';
import type { RouterSubject } from '../src/traffic/router.contract.js';
import type { Upstream } from '../src/traffic/router.js';
import { freePort, removeDir, send, startUpstream, tempDir, waitFor, type TestUpstream } from './proxy-support.js';

const started = new Set<number>();

/** SIGKILL every haproxy process (master and workers) these tests started and that is still there. */
export function stopAllHaproxy(): void {
  for (const pid of started) killQuietly(pid);
  started.clear();
}

/** SIGKILL a pid, only while it is still a haproxy (a pid recorded long ago may belong to another process now). */
export function killQuietly(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('haproxy')) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Start haproxy on a state dir and remember its master and workers for stopAllHaproxy. */
export async function startRecorded(stateDir: string): Promise<HaproxyProcess> {
  const proc = await startHaproxy({ stateDir, ringBytes: 1024 * 1024 });
  started.add(proc.pid);
  await recordWorkers(stateDir);
  return proc;
}

async function recordWorkers(stateDir: string): Promise<number[]> {
  const list = await new MasterCli(masterSocket(stateDir)).processes().catch(() => undefined);
  const pids = list ? [list.master, list.worker, ...list.oldWorkers] : [];
  for (const pid of pids) started.add(pid);
  return pids;
}

/** Upstreams answering `?status=N` with N and their name in `x-upstream`; `/hold` waits until released. */
export async function startUpstreams(held: Map<string, () => void>): Promise<TestUpstream[]> {
  return Promise.all(
    ['u0', 'u1', 'u2'].map((name) =>
      startUpstream(name, (req, res) => {
        const url = new URL(req.url!, 'http://x');
        const answer = () => {
          res.writeHead(Number(url.searchParams.get('status') ?? 200), { 'x-upstream': name });
          res.end(name);
        };
        if (url.pathname === '/hold') held.set(name, answer);
        else answer();
      }),
    ),
  );
}

/** The Router contract's subject: HaproxyRouter over a haproxy this test started. */
export async function haproxySubject(): Promise<RouterSubject & { stateDir: string }> {
  const held = new Map<string, () => void>();
  const upstreams = await startUpstreams(held);
  const stateDir = await tempDir('slipway-hx-');
  const router = new HaproxyRouter({ stateDir, ringBytes: 1024 * 1024 });
  const blockers: net.Server[] = [];
  let proc: HaproxyProcess | undefined;
  const up = async () => {
    proc = await startRecorded(stateDir);
  };
  const dispose = async () => {
    const pids = await recordWorkers(stateDir);
    await proc?.stop(2_000);
    for (const pid of pids) killQuietly(pid);
    for (const answer of held.values()) answer();
    await Promise.all(upstreams.map((x) => x.close()));
    await Promise.all(blockers.map((b) => new Promise((resolve) => b.close(resolve))));
    await removeDir(stateDir);
  };
  try {
    await up();
  } catch (e) {
    await dispose();
    throw e;
  }
  const reply = (r: { status: number; headers: Record<string, unknown> }) => ({
    status: r.status,
    upstream: r.headers['x-upstream'] as string | undefined,
  });
  return {
    stateDir,
    router,
    upstreams: upstreams.map((x) => ({ id: x.name, address: x.address })) as [Upstream, Upstream, Upstream],
    listen: async () => `127.0.0.1:${await freePort()}`,
    async traffic(routes, release, statuses) {
      for (const status of statuses) {
        const r = await send(`http://${routes.listen}/?status=${status}`, {
          headers: { 'X-Slipway-Release': release },
        });
        if (r.status !== status) throw new Error(`expected ${status} through haproxy, got ${r.status}: ${r.text}`);
      }
    },
    async down() {
      // The whole data plane dies at once: master and workers, no soft stop.
      for (const pid of await recordWorkers(stateDir)) killQuietly(pid);
      await proc?.exited;
    },
    up,
    dataPlane: {
      send: async (listen, options = {}) => reply(await send(`http://${listen}/`, options)),
      async hold(listen, release) {
        held.clear();
        const pending = send(`http://${listen}/hold`, { headers: { 'X-Slipway-Release': release } });
        const upstream = await waitFor(() => [...held.keys()][0], 'a request held at an upstream');
        return {
          upstream,
          finish: async () => {
            const answer = held.get(upstream)!;
            held.delete(upstream);
            answer();
            return reply(await pending);
          },
        };
      },
      async busyListen() {
        const blocker = net.createServer();
        blockers.push(blocker);
        await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
        return `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
      },
    },
    dispose,
  };
}
