import { expect, it } from 'vitest';
import { isSlipwayError } from '../shared/errors.js';
import type { EnvironmentRoutes } from './router.js';
import { contractTable, counts, type RouterCaseContext, rejection, service, set } from './router-case.contract.js';

/** The Router contract for every router: tables, upstreams, figures, and a data plane that goes away. */
export function tableCases(ctx: RouterCaseContext): void {
  it('apply puts a table in force; applying it again changes nothing; upstreams lists its upstreams', async () => {
    const { s, router, u, upstreamsOf } = ctx.now();
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
    const { s, router, u, upstreamsOf } = ctx.now();
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
    const { s, router, u, upstreamsOf } = ctx.now();
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
    const { s, router, u } = ctx.now();
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
    const { s, router, u, upstreamsOf } = ctx.now();
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
    const { s, router, u } = ctx.now();
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
    const { s, router, u } = ctx.now();
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
    const { s, router, u, upstreamsOf } = ctx.now();
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
}
