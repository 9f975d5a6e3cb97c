import net from 'node:net';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import { describeRouterContract, type RouterSubject } from '../src/traffic/router.contract.js';
import type { Upstream } from '../src/traffic/router.js';
import { RecordingRouter } from './support/fake-router.js';
import {
  freePort,
  removeDir,
  send,
  spawnProxy,
  startUpstream,
  tempDir,
  waitFor,
  type ProxyProcess,
  type TestUpstream,
} from './proxy-support.js';

/**
 * The Router contract (src/traffic/router.contract.ts) against the built-in proxy, run as its own
 * process (src/traffic/proxy/process.ts) with real upstreams, and against the fake the engine tests use.
 */

/** Upstreams answering `?status=N` with N and their name in `x-upstream`; `/hold` waits for release. */
async function startUpstreams(held: Map<string, () => void>): Promise<TestUpstream[]> {
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

async function proxySubject(): Promise<RouterSubject> {
  const held = new Map<string, () => void>();
  const upstreams = await startUpstreams(held);
  const stateDir = await tempDir();
  const admin = `127.0.0.1:${await freePort()}`;
  const token = `contract-${Math.random().toString(36).slice(2)}`;
  const env = { ...process.env, SLIPWAY_PROXY_TOKEN: token };
  const router = new ProxyRouter({ admin, token, timeoutMs: 5_000 });
  const blockers: net.Server[] = [];
  let proxy: ProxyProcess | undefined;
  const up = async () => {
    proxy = spawnProxy(['--admin', admin, '--state-dir', stateDir], env);
    const exited = proxy;
    await waitFor(
      async () => {
        if (exited.child.exitCode !== null) throw new Error(`the proxy exited: ${exited.stderr()}`);
        return router.healthy();
      },
      'the proxy to be healthy',
      30_000,
    );
  };
  await up();
  const reply = (r: { status: number; headers: Record<string, unknown> }) => ({
    status: r.status,
    upstream: r.headers['x-upstream'] as string | undefined,
  });
  return {
    router,
    upstreams: upstreams.map((x) => ({ id: x.name, address: x.address })) as [Upstream, Upstream, Upstream],
    listen: async () => `127.0.0.1:${await freePort()}`,
    async traffic(routes, release, statuses) {
      for (const status of statuses) {
        const r = await send(`http://${routes.listen}/?status=${status}`, {
          headers: { 'X-Slipway-Release': release },
        });
        if (r.status !== status) throw new Error(`expected ${status} through the proxy, got ${r.status}: ${r.text}`);
      }
    },
    down: async () => proxy?.kill(),
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
    async dispose() {
      await proxy?.kill();
      await router.close();
      for (const answer of held.values()) answer();
      await Promise.all(upstreams.map((x) => x.close()));
      await Promise.all(blockers.map((b) => new Promise((resolve) => b.close(resolve))));
      await removeDir(stateDir);
    },
  };
}

async function fakeSubject(): Promise<RouterSubject> {
  const router = new RecordingRouter();
  let port = 30000;
  return {
    router,
    upstreams: [0, 1, 2].map((i) => ({ id: `u${i}`, address: `127.0.0.1:${40000 + i}` })) as [
      Upstream,
      Upstream,
      Upstream,
    ],
    listen: async () => `127.0.0.1:${port++}`,
    async traffic(_routes, release, statuses) {
      for (const status of statuses) {
        const seq = (router.fed.at(-1)?.seq ?? 0) + 1;
        router.fed.push({ seq, release, at: Date.now(), status, latencyMs: 1, proxyError: false });
      }
    },
    down: async () => router.down(),
    up: async () => router.restart(),
    dispose: async () => undefined,
  };
}

describeRouterContract('built-in proxy', proxySubject, { dataPlane: true });
describeRouterContract('fake', fakeSubject, { dataPlane: false });
