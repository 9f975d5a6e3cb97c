import { expect, it } from 'vitest';
import { isSlipwayError } from '../shared/errors.js';
import type { DataPlaneAccess } from './router.contract.js';
import type { ReleaseSet } from './router.js';
import { contractTable, type RouterCaseContext, rejection, set, until } from './router-case.contract.js';

/** The Router contract for routers with a data plane serving HTTP: weights, targets, drain, busy addresses. */
export function dataPlaneCases(ctx: RouterCaseContext, enabled: boolean): void {
  // Subjects without a data plane (the fake) do not get these cases at all: npm test never reports a skip.
  const dataPlaneIt = (title: string, test: (plane: DataPlaneAccess) => Promise<void>) => {
    if (enabled) it(title, () => test(ctx.now().s.dataPlane!));
  };

  dataPlaneIt('weights split untargeted traffic; weight 0 and an empty set take none', async (plane) => {
    const { s, router, u } = ctx.now();
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

  dataPlaneIt('a request naming a release reaches it even at weight 0; a stale name gets the split', async (plane) => {
    const { s, router, u } = ctx.now();
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
  });

  dataPlaneIt(
    'an upstream dropped from the table drains: its request finishes, then it is forgotten',
    async (plane) => {
      const { s, router, u, upstreamsOf } = ctx.now();
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

  dataPlaneIt(
    'a listen address another process holds: conflict, and the previous table keeps serving',
    async (plane) => {
      const { s, router, u } = ctx.now();
      const listen = await s.listen();
      await router.apply(contractTable('staging', listen, [set('1.0.0', 'stable', 1, [u[0]])]));
      const busy = await plane.busyListen();
      const error = await rejection(router.apply(contractTable('staging', busy, [set('2.0.0', 'stable', 1, [u[1]])])));
      expect(isSlipwayError(error) && error.code, String(error)).toBe('conflict');
      expect(String(error)).toContain(busy);
      expect(await plane.send(listen)).toEqual({ status: 200, upstream: u[0].id });
    },
  );
}
