import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import { TrafficFeed } from '../../test/support/traffic-feed.js';
import { getDeployment } from '../store/repos/deployments.js';
import { silentLogger } from '../shared/logging.js';
import { isSlipwayError } from '../shared/errors.js';
import { appendEvent, listEvents } from '../store/repos/events.js';
import { listIncidents } from '../store/repos/incidents.js';
import { changeIncident, noteIncident } from './actions.js';
import { IncidentFollower } from './follower.js';
import { incidentTimeline } from './view.js';

let h: Harness | undefined;
let follower: IncidentFollower | undefined;
afterEach(async () => {
  await follower?.close();
  await h?.close();
  h = undefined;
  follower = undefined;
});

async function deployed(harness: Harness, version: string) {
  const d = await harness.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version });
  return harness.waitFinished(d.id);
}

async function start(harness: Harness): Promise<IncidentFollower> {
  const f = new IncidentFollower(harness.db, silentLogger, { pollMs: 60_000 });
  await f.start();
  return f;
}

function alert(rule: string, severity: 'critical' | 'warning', group: string, kind = 'alert.firing') {
  return {
    project: 'harbor',
    environment: 'staging',
    service: 'api',
    kind,
    message: `${rule} ${kind}`,
    // groupKey, as the alerts capability writes it
    data: {
      rule,
      severity,
      groupKey: group,
      labels: { service: 'api' },
      value: 0.2,
      threshold: 0.05,
      startsAt: new Date(),
    },
  };
}

describe('the incident follower', () => {
  it('an automatic rollback opens one incident, linked and audited; a restart re-reading opens none', async () => {
    h = await engineHarness();
    await deployed(h, '1.0.0');
    follower = await start(h); // starts at the newest event: the first deployment opens nothing
    h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'failed' : 'healthy');
    const d = await deployed(h, '2.0.0');
    expect(d.state).toBe('failed');
    await follower.poll();
    const [incident, ...others] = await listIncidents(h.db, { project: 'harbor' });
    expect(others).toEqual([]);
    expect(incident).toMatchObject({
      environment: 'staging',
      service: 'api',
      severity: 'sev4',
      state: 'triggered',
      source: 'rollback',
      openedBy: 'slipway (incident follower)',
    });
    // It never served traffic: it failed (as its deployment did), it was not rolled back.
    expect(incident!.title).toMatch(/^api 2\.0\.0 failed before serving traffic in staging: instance ins_\w+ of api/);
    expect(incident!.links).toEqual(
      expect.arrayContaining([
        { kind: 'deployment', ref: d.id },
        { kind: 'release', ref: d.toRelease },
        { kind: 'release', ref: d.fromRelease },
      ]),
    );
    const { rows } = await h.db.query<{ actor: string; action: string }>(
      "select actor, action from audit_log where action = 'incident.open'",
    );
    expect(rows).toEqual([{ actor: 'slipway (incident follower)', action: 'incident.open' }]);

    // A coordinator restart that lost its cursor reads everything again: nothing opens twice.
    await follower.close();
    await h.db.query("update event_cursors set after_xid = '0', after_id = 0 where name = 'incidents'");
    follower = await start(h);
    await follower.poll();
    expect(await listIncidents(h.db, { project: 'harbor' })).toHaveLength(1);
    const opened = (await listEvents(h.db, { limit: 1000 })).filter((e) => e.kind === 'incident.opened');
    expect(opened.map((e) => e.data.incident)).toEqual([incident!.id]);
    expect(opened[0]!.data).toMatchObject({ severity: 'sev4', environment: 'staging', service: 'api' });

    // The fix deployed while it is open joins it; the timeline shows both deployments and the note.
    h.runtime.behaviour = () => 'healthy';
    const fix = await deployed(h, '2.0.1');
    await noteIncident(h.db, incident!.id, 'dana', 'pricing model v2 crashes at start');
    await follower.poll();
    const view = await incidentTimeline(h.db, incident!.id);
    expect(view.incident.links).toContainEqual({ kind: 'deployment', ref: fix.id });
    const kinds = view.timeline.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['deployment.rolling_back', 'incident.opened', 'incident.noted']));
    expect(kinds.indexOf('deployment.rolling_back')).toBeLessThan(kinds.indexOf('incident.opened'));
    expect(view.timeline.filter((e) => e.deploymentId === fix.id).length).toBeGreaterThan(0);
  }, 60_000);

  it("a person's rollback opens nothing", async () => {
    h = await engineHarness();
    await deployed(h, '1.0.0');
    follower = await start(h);
    h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'starting' : 'healthy');
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '2.0.0' });
    await new Promise((r) => setTimeout(r, 100));
    await h.engine.abort(d.id, 'wrong version', 'dana');
    expect((await h.waitFinished(d.id)).state).toBe('rolled_back');
    await follower.poll();
    const rollingBack = (await listEvents(h.db, { deploymentId: d.id })).find(
      (e) => e.kind === 'deployment.rolling_back',
    );
    expect(rollingBack?.data.by).toBe('dana');
    expect(await listIncidents(h.db, { project: 'harbor' })).toEqual([]);
  }, 60_000);

  it('critical alerts open one incident per group; warnings join it; a resolved group opens anew', async () => {
    h = await engineHarness();
    follower = await start(h);
    await appendEvent(h.db, alert('error-rate-high', 'critical', 'api/staging'));
    await appendEvent(h.db, alert('p95-high', 'critical', 'api/staging'));
    await appendEvent(h.db, alert('cpu-high', 'warning', 'api/staging'));
    await appendEvent(h.db, alert('disk-full', 'critical', 'db/staging'));
    await follower.poll();
    const list = await listIncidents(h.db, { project: 'harbor' });
    expect(list.map((i) => [i.alertGroup, i.severity, i.links.map((l) => l.ref).sort()]).sort()).toEqual([
      ['api/staging', 'sev2', ['cpu-high', 'error-rate-high', 'p95-high']],
      ['db/staging', 'sev2', ['disk-full']],
    ]);
    const api = list.find((i) => i.alertGroup === 'api/staging')!;
    expect(api.title).toBe('critical alert error-rate-high: value 0.2, threshold 0.05 (group api/staging)');

    // A notification about the opening, and an error issue in the environment, join its timeline.
    const openedEvent = (await listEvents(h.db, { limit: 1000 })).find(
      (e) => e.kind === 'incident.opened' && e.data.incident === api.id,
    )!;
    await appendEvent(h.db, {
      project: 'harbor',
      environment: 'staging',
      kind: 'notification.sent',
      message: 'notified #ops (slack): incident opened',
      data: { delivery: 'dlv_1', trigger: 'on-incident-opened', target: '#ops', type: 'slack', event: openedEvent.id },
    });
    await appendEvent(h.db, {
      project: 'harbor',
      environment: 'staging',
      kind: 'error.issue.new',
      message: 'new issue in 2.0.0: TypeError',
      data: { issue: 'iss_1', title: 'TypeError', release: '2.0.0', environment: 'staging', count: 3 },
    });
    await follower.poll();
    expect(
      (await listIncidents(h.db, { project: 'harbor', state: 'open' })).every((i) =>
        i.links.some((l) => l.ref === 'iss_1'),
      ),
    ).toBe(true);
    await changeIncident(h.db, api.id, { kind: 'acknowledge', by: 'dana', at: new Date() });
    await appendEvent(h.db, alert('error-rate-high', 'critical', 'api/staging', 'alert.resolved'));
    const { after } = await changeIncident(h.db, api.id, { kind: 'resolve', by: 'dana', at: new Date() });
    expect(after.state).toBe('resolved');
    const again = await changeIncident(h.db, api.id, { kind: 'resolve', by: 'tomas', at: new Date() }).catch(
      (e: unknown) => e,
    );
    expect(isSlipwayError(again) && again.code).toBe('conflict');

    await appendEvent(h.db, alert('error-rate-high', 'critical', 'api/staging'));
    await follower.poll();
    expect((await listIncidents(h.db, { project: 'harbor', state: 'open' })).map((i) => i.alertGroup).sort()).toEqual([
      'api/staging',
      'db/staging',
    ]);
    const view = await incidentTimeline(h.db, api.id);
    expect(view.timeline.map((e) => e.kind)).toEqual([
      'alert.firing',
      'alert.firing',
      'alert.firing',
      'incident.opened',
      'notification.sent',
      'error.issue.new',
      'incident.acknowledged',
      'alert.resolved',
      'incident.resolved',
    ]);
    expect(view.timeToAcknowledgeMs).toBeGreaterThanOrEqual(0);
    expect(view.timeToResolveMs).toBeGreaterThanOrEqual(view.timeToAcknowledgeMs!);
  }, 60_000);

  it('a release that regresses in its post-deploy watch opens a sev2 incident; the rollback joins it', async () => {
    h = await engineHarness(
      harnessConfig({ watch: { for: '2m' }, strategy: { type: 'blue-green', keepOldFor: '5m' } }),
    );
    const healthy = (release: string) => ({ release, rate: 200, errorRate: 0.002, latencyMs: 20, jitterMs: 10 });
    await deployed(h, '1.0.0');
    const feed = new TrafficFeed(h.router.fed, [healthy('1.0.0')], 11);
    feed.start();
    try {
      follower = await start(h);
      await new Promise((r) => setTimeout(r, 300));
      const done = await deployed(h, '2.0.0');
      expect(done.state).toBe('succeeded');
      feed.set([{ ...healthy('2.0.0'), errorRate: 0.2 }]);
      const deadline = Date.now() + 20_000;
      let rollback: string | undefined;
      while (!rollback && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        rollback = (await getDeployment(h.db, done.id))?.watch?.rollback;
      }
      expect(rollback).toBeDefined();
      await h.waitFinished(rollback!);
      await follower.poll();
      const [incident, ...others] = await listIncidents(h.db, { project: 'harbor' });
      expect(others).toEqual([]);
      expect(incident).toMatchObject({ source: 'watch', severity: 'sev2', service: 'api', environment: 'staging' });
      expect(incident!.title).toMatch(
        /^api 2\.0\.0 regressed after its rollout in staging: post-deploy watch: error-rate/,
      );
      expect(incident!.links).toEqual(
        expect.arrayContaining([
          { kind: 'deployment', ref: done.id },
          { kind: 'deployment', ref: rollback },
        ]),
      );
      const view = await incidentTimeline(h.db, incident!.id);
      const kinds = view.timeline.map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['watch.started', 'watch.regressed', 'incident.opened']));
      expect(view.timeline.filter((e) => e.deploymentId === rollback).map((e) => e.kind)).toContain(
        'deployment.finished',
      );
    } finally {
      feed.stop();
    }
  }, 60_000);
});
