import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import type { Db } from '../store/db.js';
import { addAvailability } from '../store/repos/availability.js';
import { changeIncident, linkIncident, openIncident } from '../incidents/actions.js';
import { generatedHistory, since, until, watchRollbackHistory } from './history.fixture.js';
import { loadKpis } from './load.js';

/** The generated history written to a real store (PGlite) gives the answers the pure tests work out by hand. */
describe('loadKpis from the store', () => {
  let db: Db;
  const minute = 60_000;
  beforeAll(async () => {
    db = await freshDb();
    await db.query(`insert into projects (name, config, digest) values ('harbor', '{}', 'x')`);
    const { deployments, incidents } = generatedHistory();
    const outage = watchRollbackHistory();
    for (const r of ['rel_w0', 'rel_w1', 'rel_w2', 'rel_w3'])
      await db.query(
        `insert into releases (id, project, service, version, spec, digest)
         values ($1, 'harbor', 'web', $1, '{}', 'x')`,
        [r],
      );
    for (let i = -1; i < 100; i++) {
      await db.query(
        `insert into releases (id, project, service, version, spec, digest)
         values ($1, 'harbor', 'api', $2, '{}', 'x')`,
        [`rel_${i}`, `1.0.${i + 1}`],
      );
    }
    for (const d of [...deployments, ...outage.deployments]) {
      await db.query(
        `insert into deployments (id, project, service, environment, kind, from_release, to_release, strategy, state,
           plan, settings, started_at, finished_at, created_at, watch, progress)
         values ($1, 'harbor', $2, $3, $4, $5, $6, 'blue-green', $7, '{"steps":[]}', '{}', $8, $9, $8, $10, $11)`,
        [
          d.id,
          d.service,
          d.environment,
          d.kind,
          d.fromRelease,
          d.toRelease,
          d.state,
          new Date(d.startedAt),
          new Date(d.finishedAt),
          d.regressed ? { state: 'regressed', onRegression: 'rollback', rollback: 'dep_wrb' } : null,
          { inconclusive: 0, migrationsApplied: [], trafficShiftedAt: d.trafficShiftedAt },
        ],
      );
    }
    // A restart after `slipway down` (the stable release started again, here one that failed): not a change, so it
    // changes none of the figures the pure calculation gives without it.
    await db.query(
      `insert into deployments (id, project, service, environment, kind, to_release, strategy, state, plan, settings,
         started_at, finished_at)
       values ('dep_restart', 'harbor', 'api', 'production', 'deploy', 'rel_1', 'blue-green', 'failed',
         '{"steps":[]}', '{"restart":true}', $1, $1)`,
      [new Date(since + 2 * minute)],
    );
    // A staging deployment and one before the period: neither counts for production in November.
    await db.query(
      `insert into deployments (id, project, service, environment, kind, to_release, strategy, state, plan, settings,
         started_at, finished_at)
       values ('dep_st', 'harbor', 'api', 'staging', 'deploy', 'rel_1', 'blue-green', 'failed', '{"steps":[]}', '{}',
         $1, $1),
              ('dep_old', 'harbor', 'api', 'production', 'deploy', 'rel_1', 'blue-green', 'failed', '{"steps":[]}',
         '{}', $2, $2)`,
      [new Date(since + minute), new Date(since - minute)],
    );
    // Lead times: releases 1.0.6 and 1.0.8 (deployments #5 and #7) were committed 30 and 50 min before they finished.
    for (const [i, lead] of [
      [5, 30],
      [7, 50],
    ] as const) {
      const finished = deployments[i]!.finishedAt;
      await db.query(
        `insert into release_commits (project, service, version, sha, committed_at)
         values ('harbor', 'api', $1, $2, $3)`,
        [`1.0.${i + 1}`, `sha${i}`, new Date(finished - lead * minute)],
      );
    }
    // Incidents written by the incidents capability itself (links in incident_links, `[{ kind, ref }]` in the
    // events, deployments joining an open incident later); the store keeps `at` as now(): set the times after.
    for (const inc of [...incidents, ...outage.incidents]) {
      const [first, ...joined] = inc.deployments;
      const opened = await openIncident(db, {
        id: inc.id,
        project: 'harbor',
        environment: inc.environment!,
        service: inc.service!,
        title: 't',
        severity: 'sev2',
        source: 'watch',
        openedBy: 'test',
        openedAt: new Date(inc.openedAt),
        links: [{ kind: 'deployment', ref: first! }],
      });
      await linkIncident(
        db,
        opened!.id,
        joined.map((ref) => ({ kind: 'deployment' as const, ref })),
      );
      await db.query(`update events set at = $2 where kind = 'incident.opened' and data->>'incident' = $1`, [
        inc.id,
        new Date(inc.openedAt),
      ]);
      // Left open: the deployments that joined it are in incident_links only, no event names them yet.
      if (inc.id === 'inc_w') continue;
      await changeIncident(db, inc.id, { kind: 'resolve', by: 'test', at: new Date(inc.resolvedAt!) });
      await db.query(`update events set at = $2 where kind = 'incident.resolved' and data->>'incident' = $1`, [
        inc.id,
        new Date(inc.resolvedAt!),
      ]);
    }
    // Probes: 10,000 with 5 failures, spread over two minutes; the proxy saw 2,000 requests with 3 errors.
    for (const [at, probes, failures, requests, errors] of [
      [since + 5 * minute, 6000, 2, 1500, 1],
      [since + 5 * minute + 30_000, 3000, 3, 0, 0],
      [since + 9 * minute, 1000, 0, 500, 2],
      [until + minute, 50, 50, 50, 50],
    ]) {
      await addAvailability(db, {
        project: 'harbor',
        environment: 'production',
        service: 'api',
        at: new Date(at!),
        probes: probes!,
        probeFailures: failures!,
        requests: requests!,
        errors5xx: errors!,
      });
    }
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('computes the same figures as the pure calculation, per environment', async () => {
    const [production, staging] = await loadKpis(db, {
      project: 'harbor',
      environments: ['production', 'staging'],
      since: new Date(since),
      until: new Date(until),
    });
    expect(production!.environment).toBe('production');
    const k = production!.kpis;
    expect(k.deployments).toEqual({ finished: 100, succeeded: 96, rolledBack: 3, failed: 1 });
    expect(k.rollbackFrequency.value).toBe(0.03);
    expect(k.changeFailureRate).toEqual({ value: 0.05, failedChanges: 5 });
    expect(k.timeToRestore.incidents.meanMs).toBe(12 * minute);
    // The windows open when traffic moved (progress.trafficShiftedAt).
    expect(k.timeToRestore.deployments).toMatchObject({ count: 5, medianMs: 22 * minute });
    expect(k.mtbf.failures).toBe(5);
    expect(k.leadTime).toEqual({ count: 2, meanMs: 40 * minute, medianMs: 40 * minute });
    expect(k.availability).toMatchObject({ probes: 10_000, probeFailures: 5, uptime: 0.9995, errorShare: 0.0015 });
    expect(staging!.kpis.deployments).toEqual({ finished: 1, succeeded: 0, rolledBack: 0, failed: 1 });
    expect(staging!.kpis.incidents.opened).toBe(0);
    // dep_st failed before any traffic moved to it: a failed change, not an outage.
    expect(staging!.kpis.changeFailureRate.failedChanges).toBe(1);
    expect(staging!.kpis.timeToRestore.deployments.count).toBe(0);
    expect(staging!.kpis.mtbf.failures).toBe(0);
  });

  it('an outage: a watch rollback, its incident and the deployments that joined it, one failure', async () => {
    const [qa] = await loadKpis(db, {
      project: 'harbor',
      environments: ['qa'],
      since: new Date(since),
      until: new Date(until),
    });
    const k = qa!.kpis;
    expect(k.deployments).toEqual({ finished: 4, succeeded: 2, rolledBack: 1, failed: 1 });
    expect(k.rollbackFrequency).toMatchObject({ value: 0.25, rollbacks: 1 });
    expect(k.changeFailureRate).toEqual({ value: 0.5, failedChanges: 2 });
    expect(k.mtbf.failures).toBe(1);
    // Up from qa's first deployment (2 days in) until the incident, left open here, 75 min later.
    expect(k.mtbf).toMatchObject({ upMs: 75 * minute, valueMs: 75 * minute });
    expect(k.incidents).toEqual({ opened: 1, open: 1 });
  });

  it('one service, one environment: another service has nothing', async () => {
    const [web] = await loadKpis(db, {
      project: 'harbor',
      environments: ['production'],
      service: 'web',
      since: new Date(since),
      until: new Date(until),
    });
    expect(web!.kpis.deployments.finished).toBe(0);
    expect(web!.kpis.availability.probes).toBe(0);
    expect(web!.kpis.incidents.opened).toBe(0);
    expect(web!.kpis.mtbf).toMatchObject({ valueMs: null, upMs: 0, check: { status: 'unknown' } });
  });
});
