import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../src/cli/follow.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { harborQuoteDir } from '../src/demo/workspace.js';
import { coordinatorLogOf, ExtraCoordinator, leaderState } from './support/coordinators.js';
import { until } from './support/processes.js';
import { freshPostgres, type FreshPostgres } from './support/store.js';
import { System } from './support/system.js';

/**
 * Several coordinators on one real PostgreSQL (a database of its own): one leads, the other serves reads and
 * forwards writes; SIGKILL of the leader with two deployments in flight (two services) hands both to the other, with
 * traffic to both served throughout; a leader paused past its lease is deposed, its writes refused by the store, and
 * it steps down.
 */
let store: FreshPostgres;
let system: System;
let second: ExtraCoordinator;
const env = () => ({ DATABASE_URL: store.url });

/** A second service (harbor-quote again, under /pricing), so two deployments can be in flight at once. */
const pricing = `  pricing:
    command: ${JSON.stringify(process.execPath)}
    args: [server.js]
    cwd: ${JSON.stringify(harborQuoteDir)}
    env: { APP_VERSION: "{version}", SENTRY_DSN: "" }
    instances: 1
    route: { pathPrefix: /pricing }
    health: { path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 1, startTimeout: 30s }
    drainTimeout: 2s`;

beforeAll(async () => {
  store = await freshPostgres();
  system = await System.start({ instances: 2, env: env(), extraServices: pricing });
  second = await ExtraCoordinator.start(system, env());
}, 180_000);
afterAll(async () => {
  for (const child of [second?.child]) if (child && child.signalCode === null) child.kill('SIGCONT');
  await system?.close();
  await store?.drop();
}, 120_000);

const deployment = (client: System['client'], id: string) =>
  client.call<{ deployment: DeploymentView }>('GET', `/api/v1/deployments/${id}`).then((r) => r.deployment);

describe('several coordinators', () => {
  it('one leads; the follower answers reads itself and forwards writes to the leader', async () => {
    const first = await leaderState(system.client);
    const other = await leaderState(second.client);
    expect(first?.role).toBe('leader');
    expect(other).toMatchObject({
      role: 'follower',
      leader: { url: system.client.baseUrl, token: first?.leader?.token },
    });

    // A write through the follower is served by the leader (it says so), and its result is readable on both.
    const res = await request(`${second.url}/api/v1/projects/${system.project}/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'quote-api', environment: 'staging', version: '1.0.0' }),
    });
    const body = (await res.body.json()) as { deployment: DeploymentView };
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-slipway-leader']).toBe(system.client.baseUrl);
    expect((await system.finish(body.deployment.id)).state).toBe('succeeded');
    expect((await deployment(second.client, body.deployment.id)).state).toBe('succeeded');
    // An unauthenticated write is refused by the leader exactly as it would be directly.
    const anonymous = await request(`${second.url}/api/v1/projects/${system.project}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.statusCode).toBe(401);
    await anonymous.body.dump();
  }, 180_000);

  it('SIGKILL of the leader with two deployments in flight: the follower takes over and finishes both; no request ' +
    'fails', async () => {
    expect((await system.deployed('1.0.0', { service: 'pricing' })).state).toBe('succeeded');
    const load = new LoadGenerator({
      url: system.stagingUrl,
      rate: 100,
      mix: [
        { method: 'GET', path: '/quotes/sample', share: 1 },
        // harbor-quote answers this path with its own 404: served by pricing's instance, not a failure.
        { method: 'GET', path: '/pricing/quotes/sample', share: 1 },
      ],
    });
    load.start();
    try {
      // Candidates that take 3 s to boot: both deployments are still waiting for them when the leader dies.
      const slow = { strategy: 'blue-green', set: { SLOW_START_MS: '3000' } };
      const inFlight = [
        await system.deploy('2.0.0', slow),
        await system.deploy('2.0.0', { ...slow, service: 'pricing' }),
      ];
      await until(
        'both deployments to be under way',
        async () => {
          const views = await Promise.all(inFlight.map((d) => deployment(system.client, d.id)));
          return views.every((v) => v.state === 'running' && v.step >= 1) ? true : undefined;
        },
        60_000,
        20,
      );
      const before = (await leaderState(second.client))?.leader?.token ?? 0;
      const sentBeforeKill = load.snapshot().requests;
      await system.killCoordinator();
      const killedAt = performance.now();
      const now = await until(
        'the second coordinator to lead',
        async () => {
          const s = await leaderState(second.client);
          return s?.role === 'leader' ? s : undefined;
        },
        60_000,
        50,
      );
      const takeoverMs = Math.round(performance.now() - killedAt);
      expect(now.leader?.token).toBeGreaterThan(before);
      const done = await Promise.all(
        inFlight.map((d) =>
          until(
            `deployment ${d.id} to finish under the new leader`,
            async () => {
              const x = await deployment(second.client, d.id);
              return ['running', 'rolling_back'].includes(x.state) ? undefined : x;
            },
            120_000,
            200,
          ),
        ),
      );
      const finishedMs = Math.round(performance.now() - killedAt);
      // Recorded, not asserted tightly: the machine is shared (the target is a takeover within 5 s).
      console.log(JSON.stringify({ leaderFailover: { takeoverMs, bothFinishedMs: finishedMs, inFlight: 2 } }));
      expect(takeoverMs).toBeLessThan(30_000);
      for (const d of done) {
        expect({ service: d.service, state: d.state, reason: d.reason }).toEqual({
          service: d.service,
          state: 'succeeded',
          reason: null,
        });
        const { events } = await second.client.call<{ events: { kind: string }[] }>(
          'GET',
          `/api/v1/deployments/${d.id}/events`,
        );
        expect(events.map((e) => e.kind)).toContain('deployment.resumed');
      }
      expect(done.map((d) => d.service).sort()).toEqual(['pricing', 'quote-api']);
      // A quiet machine finishes all of this in a few seconds: keep the traffic going through the new leader's
      // routes for a while, so "no request fails" covers more than the takeover itself.
      await until('100 requests after the kill', () => load.snapshot().requests >= sentBeforeKill + 100, 30_000);
    } finally {
      const report = await load.stop();
      expect(report.failures).toEqual([]);
      expect(report.failed).toBe(0);
      expect(report.byRequest['GET /pricing/quotes/sample']?.requests).toBeGreaterThan(0);
    }
  }, 300_000);

  it('a leader paused past its lease is deposed: the store refuses its writes and it steps down', async () => {
    // The first coordinator comes back as a follower; then the leader (the second) is paused.
    await system.startCoordinator();
    await until(
      'the restarted coordinator to follow',
      async () => (await leaderState(system.client))?.role === 'follower',
      30_000,
    );
    const paused = await leaderState(second.client);
    expect(paused?.role).toBe('leader');
    const d = await system.deploy('3.0.0', { strategy: 'rolling' }); // forwarded to the second, which starts it
    second.child.kill('SIGSTOP');
    try {
      await until(
        'the first coordinator to take over',
        async () => (await leaderState(system.client))?.role === 'leader',
        60_000,
      );
    } finally {
      second.child.kill('SIGCONT');
    }
    await until(
      'the paused coordinator to step down',
      async () => (await leaderState(second.client))?.role === 'follower',
      60_000,
    );
    // The log is written asynchronously: the line may land a moment after the role changed.
    await until(
      'the step-down to be logged',
      () =>
        coordinatorLogOf(system, second.child.pid!).some((l) => /lost the leader lease .*stepping down/.test(l.msg)),
      10_000,
    );

    // Whatever its timers still try, the store refuses the deposed coordinator's writes to the engine's tables.
    const client = new pg.Client({ connectionString: store.url, options: `-c slipway.holder=${paused!.holder}` });
    await client.connect();
    try {
      await expect(
        client.query(`update deployments set updated_at = updated_at where id = $1`, [d.id]),
      ).rejects.toThrow(/does not hold the leader lease; its write to deployments is refused/);
    } finally {
      await client.end();
    }
    const done = await system.finish(d.id);
    expect({ state: done.state, reason: done.reason }).toEqual({ state: 'succeeded', reason: null });
  }, 300_000);
});
