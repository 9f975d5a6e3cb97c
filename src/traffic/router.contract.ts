import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSlipwayError } from '../shared/errors.js';
import type { EnvironmentRoutes, ReleaseSet, Router, StatusClass, Upstream } from './router.js';

/**
 * The contract every Router keeps (router.ts), as one suite that each implementation runs: the
 * built-in proxy, the fake the engine tests use, and later HAProxy. Parts that need a data plane
 * serving real HTTP (weights, targeting, draining) run only for subjects that have one.
 */

/** What one request through a listener got: its status and the upstream that answered (its id). */
export interface Reply {
  status: number;
  upstream?: string;
}

/** The part of a subject that serves real HTTP on the listen addresses. */
export interface DataPlaneAccess {
  /** One request to a listener, on a fresh connection. */
  send(listen: string, options?: { headers?: Record<string, string> }): Promise<Reply>;
  /** A request held open at its upstream, naming `release`, until finish() lets it answer. */
  hold(listen: string, release: string): Promise<{ upstream: string; finish(): Promise<Reply> }>;
  /** A loopback address another process listens on. */
  busyListen(): Promise<string>;
}

/** One router under test, with upstreams its data plane can reach and the means to act on it. */
export interface RouterSubject {
  router: Router;
  /** Three upstreams; through a data plane they answer `?status=N` with N. */
  upstreams: [Upstream, Upstream, Upstream];
  /** A listen address nothing uses. */
  listen(): Promise<string>;
  /** Requests naming `release`, answered with these statuses, through the environment's listener. */
  traffic(routes: EnvironmentRoutes, release: string, statuses: number[]): Promise<void>;
  /** The data plane dies (its process is killed). */
  down(): Promise<void>;
  /** The data plane comes back by itself, from the tables it saved. */
  up(): Promise<void>;
  /** Present when the subject serves real HTTP. */
  dataPlane?: DataPlaneAccess;
  dispose(): Promise<void>;
}

const service = 'quote-api';

/** A one-route table on `/` for the contract's service. */
export function contractTable(environment: string, listen: string, releases: ReleaseSet[]): EnvironmentRoutes {
  return { environment, listen, routes: [{ service, match: { pathPrefix: '/' }, releases }] };
}

/** A release set for the contract's tables. */
export function set(release: string, role: ReleaseSet['role'], weight: number, upstreams: Upstream[]): ReleaseSet {
  return { release, role, weight, upstreams };
}

/** What a router can do beyond the interface; the suite skips (visibly) what a subject cannot. */
export interface RouterCapabilities {
  /** It serves real HTTP on the listen addresses (the subject then has `dataPlane`). */
  dataPlane: boolean;
}

/**
 * Run the Router contract against one implementation.
 * Example: describeRouterContract('proxy', () => proxySubject(), { dataPlane: true })
 */
export function describeRouterContract(
  name: string,
  makeSubject: () => Promise<RouterSubject>,
  capabilities: RouterCapabilities,
): void {
  describe(`Router contract: ${name}`, () => {
    let s: RouterSubject;
    let router: Router;
    let u: [Upstream, Upstream, Upstream];
    beforeEach(async () => {
      s = await makeSubject();
      if (capabilities.dataPlane !== (s.dataPlane !== undefined))
        throw new Error(`the ${name} subject must have dataPlane exactly when its capabilities say so`);
      router = s.router;
      u = s.upstreams;
    });
    afterEach(() => s?.dispose());
    /** `it`, or a visible skip for subjects without a data plane. */
    const withDataPlane = (title: string, test: (plane: DataPlaneAccess) => Promise<void>) =>
      it.skipIf(!capabilities.dataPlane)(title, () => test(s.dataPlane!));

    async function upstreamsOf(environment: string) {
      return (await router.upstreams())
        .filter((x) => x.environment === environment)
        .sort((a, b) => a.id.localeCompare(b.id));
    }

    it('apply puts a table in force; applying it again changes nothing; upstreams lists its upstreams', async () => {
      const table = contractTable('staging', await s.listen(), [
        set('1.0.0', 'stable', 100, [u[0], u[1]]),
        set('1.1.0', 'candidate', 0, [u[2]]),
      ]);
      await router.apply(table);
      await router.apply(table);
      const active = { environment: 'staging', service, inFlight: 0, state: 'active' };
      expect(await upstreamsOf('staging')).toEqual([
        { ...active, release: '1.0.0', ...u[0] },
        { ...active, release: '1.0.0', ...u[1] },
        { ...active, release: '1.1.0', ...u[2] },
      ]);
      if (s.dataPlane) {
        const reply = await s.dataPlane.send(table.listen);
        expect(reply.status).toBe(200);
        expect([u[0].id, u[1].id]).toContain(reply.upstream);
      }
    });

    it('a new table replaces the old: sets and upstreams follow it, figures of both releases are kept', async () => {
      const listen = await s.listen();
      await router.apply(contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0], u[1]])]));
      await router.apply(
        contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0]]), set('2.0.0', 'candidate', 1, [u[2]])]),
      );
      expect((await upstreamsOf('staging')).map((x) => [x.release, x.id, x.state])).toEqual([
        ['1.0.0', u[0].id, 'active'],
        ['2.0.0', u[2].id, 'active'],
      ]);
      expect(Object.keys((await router.stats()).environments.staging?.[service] ?? {}).sort()).toEqual([
        '1.0.0',
        '2.0.0',
      ]);
    });

    it('remove takes an environment out; again, or for an unknown one, it is a no-op; others keep theirs', async () => {
      const a = contractTable('staging', await s.listen(), [set('1.0.0', 'stable', 1, [u[0]])]);
      const b = contractTable('production', await s.listen(), [set('1.0.0', 'stable', 1, [u[1]])]);
      await router.apply(a);
      await router.apply(b);
      await router.remove('staging');
      await router.remove('staging');
      await router.remove('never-applied');
      expect(await upstreamsOf('staging')).toEqual([]);
      expect((await upstreamsOf('production')).map((x) => x.id)).toEqual([u[1].id]);
      if (s.dataPlane) {
        await expect(s.dataPlane.send(a.listen)).rejects.toThrow();
        expect(await s.dataPlane.send(b.listen)).toEqual({ status: 200, upstream: u[1].id });
      }
    });

    it('two environments cannot share a listen address: conflict, and the first keeps its table', async () => {
      const listen = await s.listen();
      await router.apply(contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0]])]));
      const error = await rejection(
        router.apply(contractTable('production', listen, [set('1.0.0', 'stable', 1, [u[1]])])),
      );
      expect(isSlipwayError(error) && error.code, String(error)).toBe('conflict');
      expect(String(error)).toContain(listen);
      expect((await router.upstreams()).map((x) => `${x.environment} ${x.id}`)).toEqual([`staging ${u[0].id}`]);
    });

    it('an invalid table is refused with invalid_input naming the key path; the previous one stays', async () => {
      const good = contractTable('staging', await s.listen(), [set('1.0.0', 'stable', 1, [u[0]])]);
      await router.apply(good);
      const negative = structuredClone(good);
      negative.routes[0]!.releases[0]!.weight = -1;
      const badTables: [EnvironmentRoutes, string][] = [
        [negative, 'routes[0].releases[0].weight'],
        [{ ...good, listen: 'nowhere' }, 'listen'],
        [{ ...good, routes: [{ ...good.routes[0]!, match: { pathPrefix: 'api' } }] }, 'routes[0].match.pathPrefix'],
      ];
      for (const [bad, path] of badTables) {
        const error = await rejection(router.apply(bad));
        expect(isSlipwayError(error) && error.code, String(error)).toBe('invalid_input');
        expect(String(error)).toContain(path);
      }
      expect((await upstreamsOf('staging')).map((x) => x.id)).toEqual([u[0].id]);
    });

    it('stats and samples: nothing yet, then per release and status class, in order, resumable', async () => {
      const table = contractTable('staging', await s.listen(), [
        set('1.0.0', 'stable', 1, [u[0]]),
        set('1.1.0', 'candidate', 0, [u[1]]),
      ]);
      await router.apply(table);
      const before = await router.stats();
      expect(before.startedAt).toBeLessThanOrEqual(before.at);
      for (const release of ['1.0.0', '1.1.0']) {
        const rs = before.environments.staging?.[service]?.[release];
        expect(rs?.requests).toEqual(counts({}));
        expect(rs?.latency.count).toBe(0);
        expect(rs?.latency.bucketsMs.at(-1)).toBe(Infinity);
        expect(rs?.latency.counts).toHaveLength(rs!.latency.bucketsMs.length);
        expect([...rs!.latency.bucketsMs].sort((a, b) => a - b)).toEqual(rs!.latency.bucketsMs);
      }
      const empty = { startedAt: before.startedAt, environment: 'staging', samples: [], cursor: 0, missed: 0 };
      expect(await router.samples('staging', service)).toEqual({ ...empty, service });

      await s.traffic(table, '1.0.0', [200, 200, 404, 500]);
      await s.traffic(table, '1.1.0', [201, 503]);
      const after = await router.stats();
      expect(after.startedAt).toBe(before.startedAt);
      const stable = after.environments.staging![service]!['1.0.0']!;
      const candidate = after.environments.staging![service]!['1.1.0']!;
      expect(stable.requests).toEqual(counts({ '2xx': 2, '4xx': 1, '5xx': 1 }));
      expect(candidate.requests).toEqual(counts({ '2xx': 1, '5xx': 1 }));
      expect(stable.latency.count).toBe(4);
      expect(stable.latency.counts.reduce((a, b) => a + b, 0)).toBe(4);

      const page = await router.samples('staging', service);
      expect(page.samples.map((x) => [x.release, x.status, x.proxyError])).toEqual([
        ['1.0.0', 200, false],
        ['1.0.0', 200, false],
        ['1.0.0', 404, false],
        ['1.0.0', 500, false],
        ['1.1.0', 201, false],
        ['1.1.0', 503, false],
      ]);
      const seqs = page.samples.map((x) => x.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(page.cursor).toBe(seqs.at(-1));
      expect(page.missed).toBe(0);
      expect((await router.samples('staging', service, page.cursor)).samples).toEqual([]);
      await s.traffic(table, '1.0.0', [200]);
      const next = await router.samples('staging', service, page.cursor);
      expect(next.samples.map((x) => [x.seq, x.release, x.status])).toEqual([[page.cursor + 1, '1.0.0', 200]]);
      expect(await router.samples('staging', 'another-service')).toEqual({ ...empty, service: 'another-service' });
    });

    it('with the data plane down: healthy() is false, every other call rejects as unavailable', async () => {
      const table = contractTable('staging', await s.listen(), [set('1.0.0', 'stable', 1, [u[0]])]);
      expect(await router.healthy()).toBe(true);
      await router.apply(table);
      await s.down();
      expect(await router.healthy()).toBe(false);
      for (const call of [
        () => router.apply(table),
        () => router.remove('staging'),
        () => router.upstreams(),
        () => router.stats(),
        () => router.samples('staging', service),
      ]) {
        const error = await rejection(call());
        expect(isSlipwayError(error) && error.code, String(error)).toBe('unavailable');
      }
    });

    it('a restarted data plane serves the tables it had, with its counters reset', async () => {
      const table = contractTable('staging', await s.listen(), [set('1.0.0', 'stable', 1, [u[0]])]);
      await router.apply(table);
      await s.traffic(table, '1.0.0', [200, 200]);
      const before = await router.stats();
      await s.down();
      await s.up();
      expect(await router.healthy()).toBe(true);
      expect((await upstreamsOf('staging')).map((x) => x.id)).toEqual([u[0].id]);
      const after = await router.stats();
      expect(after.startedAt).toBeGreaterThan(before.startedAt);
      expect(after.environments.staging?.[service]?.['1.0.0']?.latency.count).toBe(0);
      expect(await router.samples('staging', service)).toMatchObject({ samples: [], cursor: 0 });
      if (s.dataPlane) expect(await s.dataPlane.send(table.listen)).toEqual({ status: 200, upstream: u[0].id });
    });

    withDataPlane('weights split untargeted traffic; weight 0 and an empty set take none', async (plane) => {
      const listen = await s.listen();
      const split = async (releases: ReleaseSet[], n: number) => {
        await router.apply(contractTable('staging', listen, releases));
        const served: Record<string, number> = {};
        for (let i = 0; i < n; i++) {
          const reply = await plane.send(listen);
          expect(reply.status).toBe(200);
          served[reply.upstream!] = (served[reply.upstream!] ?? 0) + 1;
        }
        return served;
      };
      const threeToOne = await split([set('1.0.0', 'stable', 3, [u[0]]), set('1.1.0', 'candidate', 1, [u[1]])], 80);
      expect((threeToOne[u[0].id] ?? 0) + (threeToOne[u[1].id] ?? 0)).toBe(80);
      expect(threeToOne[u[1].id]).toBeGreaterThanOrEqual(12);
      expect(threeToOne[u[1].id]).toBeLessThanOrEqual(28);
      expect(await split([set('1.0.0', 'stable', 1, [u[0]]), set('1.1.0', 'candidate', 0, [u[1]])], 20)).toEqual({
        [u[0].id]: 20,
      });
      expect(await split([set('1.0.0', 'stable', 1, [u[0]]), set('1.1.0', 'candidate', 5, [])], 20)).toEqual({
        [u[0].id]: 20,
      });
    });

    withDataPlane(
      'a request naming a release reaches it even at weight 0; a stale name gets the split',
      async (plane) => {
        const listen = await s.listen();
        await router.apply(
          contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0]]), set('1.1.0', 'candidate', 0, [u[1]])]),
        );
        const via = async (headers: Record<string, string>) => (await plane.send(listen, { headers })).upstream;
        expect(await via({ 'X-Slipway-Release': 'candidate' })).toBe(u[1].id);
        expect(await via({ 'X-Slipway-Release': '1.1.0' })).toBe(u[1].id);
        expect(await via({ Cookie: 'slipway-release=1.1.0' })).toBe(u[1].id);
        expect(await via({ 'X-Slipway-Release': 'stable' })).toBe(u[0].id);
        expect(await via({ 'X-Slipway-Release': '9.9.9' })).toBe(u[0].id);
      },
    );

    withDataPlane(
      'an upstream dropped from the table drains: its request finishes, then it is forgotten',
      async (plane) => {
        const listen = await s.listen();
        await router.apply(contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0]])]));
        const held = await plane.hold(listen, '1.0.0');
        expect(held.upstream).toBe(u[0].id);
        await router.apply(contractTable('staging', listen, [set('2.0.0', 'stable', 1, [u[1]])]));
        expect((await upstreamsOf('staging')).map((x) => [x.id, x.release, x.state, x.inFlight])).toEqual([
          [u[0].id, '1.0.0', 'draining', 1],
          [u[1].id, '2.0.0', 'active', 0],
        ]);
        expect(await plane.send(listen)).toEqual({ status: 200, upstream: u[1].id });
        expect(await held.finish()).toEqual({ status: 200, upstream: u[0].id });
        await until('the drained upstream to be forgotten', async () => (await upstreamsOf('staging')).length === 1);
      },
    );

    withDataPlane(
      'a listen address another process holds: conflict, and the previous table keeps serving',
      async (plane) => {
        const listen = await s.listen();
        await router.apply(contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0]])]));
        const busy = await plane.busyListen();
        const error = await rejection(
          router.apply(contractTable('staging', busy, [set('2.0.0', 'stable', 1, [u[1]])])),
        );
        expect(isSlipwayError(error) && error.code, String(error)).toBe('conflict');
        expect(String(error)).toContain(busy);
        expect(await plane.send(listen)).toEqual({ status: 200, upstream: u[0].id });
      },
    );
  });
}

function counts(some: Partial<Record<StatusClass, number>>): Record<StatusClass, number> {
  return { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, proxyError: 0, ...some };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The rejection of a promise; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
