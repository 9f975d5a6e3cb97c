import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../../test/support/store.js';
import type { ProjectConfig } from '../../config/model.js';
import { validateConfigObject } from '../../config/validate.js';
import { EventLog } from '../../engine/event-log.js';
import { silentLogger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { listActiveAlerts, listReadings } from '../../store/repos/alerts.js';
import { listEvents } from '../../store/repos/events.js';
import { upsertProject } from '../../store/repos/projects.js';
import { insertReleaseIfAbsent } from '../../store/repos/releases.js';
import { setStable } from '../../store/repos/service-state.js';
import { insertSilence } from '../../store/repos/silences.js';
import { AlertEvaluator } from './evaluator.js';
import { parseMatcher } from './matchers.js';
import type { AlertReader, AlertReading, AlertTarget } from './reader.js';

/** Readings set by the test, per service. */
class SetReader implements AlertReader {
  readonly name = 'set';
  readonly scope = 'service';
  readings = new Map<string, AlertReading[]>();
  async read(target: AlertTarget): Promise<AlertReading[]> {
    return this.readings.get(target.service) ?? [];
  }
  async close(): Promise<void> {}
}

const ok = (name: string, value: number, baseline?: number, labels = {}): AlertReading => ({
  name,
  labels,
  phase: 'ok',
  value,
  ...(baseline !== undefined ? { baseline } : {}),
});

let db: Db;
let now = 1_000_000;
let reader: SetReader;
let critical: string[];
let evaluator: AlertEvaluator;
let config: ProjectConfig;

beforeEach(async () => {
  db = await freshDb();
  config = validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: {
          listen: '127.0.0.1:8081',
          alerts: { repeatInterval: '1h', rules: { 'error-rate': { for: '0s', keepFiringFor: '0s' } } },
        },
      },
      services: { api: { command: 'node' }, web: { command: 'node', route: { pathPrefix: '/web' } } },
    },
    { baseDir: '/srv' },
  );
  await upsertProject(db, 'harbor', config, 'd1');
  for (const service of ['api', 'web']) {
    const spec = { service, version: '2.0.0', command: 'node', args: [], cwd: '/srv', env: {} };
    const release = await insertReleaseIfAbsent(db, {
      id: `rel-${service}`,
      project: 'harbor',
      service,
      version: '2.0.0',
      spec,
      digest: 'x',
    });
    await setStable(db, 'harbor', 'staging', service, release.id);
  }
  reader = new SetReader();
  critical = [];
  evaluator = new AlertEvaluator({
    db,
    events: new EventLog(db, silentLogger),
    readers: [reader],
    clock: { now: () => now, sleep: async () => {} },
    logger: silentLogger,
    onCritical: async (a) => {
      critical.push(`${a.service}: ${a.reason}`);
    },
  });
});
afterEach(async () => {
  await db.close();
});

const env = () => config.environments[0]!;
const round = async (stepMs = 10_000) => {
  const alerts = await evaluator.evaluate(config, env());
  now += stepMs;
  return alerts;
};
const events = async () =>
  (await listEvents(db, { project: 'harbor' })).filter(
    (e) => e.kind.startsWith('alert.') || e.kind.startsWith('silence.'),
  );

describe('AlertEvaluator', () => {
  it('p95 above 2× the baseline: pending, firing after `for` (30s), resolved after keepFiringFor', async () => {
    reader.readings.set('api', [ok('latency_p95_ms', 90, 40)]);
    expect((await round())[0]).toMatchObject({ state: 'pending', rule: 'api-latency-p95' });
    await round();
    await round();
    expect(await events()).toEqual([]);
    const firing = await round(); // 30 s after the first breach
    expect(firing[0]).toMatchObject({ state: 'firing', value: 90, threshold: 80 });
    const [event] = await events();
    expect(event).toMatchObject({ kind: 'alert.firing', project: 'harbor', environment: 'staging', service: 'api' });
    expect(Object.keys(event!.data).sort()).toEqual(
      ['groupKey', 'labels', 'rule', 'severity', 'startsAt', 'threshold', 'value'].sort(),
    );
    expect(event!.data).toMatchObject({
      rule: 'api-latency-p95',
      severity: 'critical',
      groupKey: 'harbor/staging/api',
      value: 90,
      threshold: 80,
      labels: { alertname: 'api-latency-p95', service: 'api', release: '2.0.0', environment: 'staging' },
    });
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatch(/^api: critical api-latency-p95 on api \(staging\).*90 ms, threshold 80 ms/);

    // Still breaching: no new announcement before the repeat interval; the hook is not called again.
    await round();
    expect((await events()).length).toBe(1);
    reader.readings.set('api', [ok('latency_p95_ms', 45, 40)]);
    for (let i = 0; i < 12; i++) await round(); // keepFiringFor 2m after the last breach
    const kinds = (await events()).map((e) => e.kind);
    expect(kinds).toEqual(['alert.firing', 'alert.resolved']);
    expect(await listActiveAlerts(db, 'harbor', 'staging')).toEqual([]);
    expect(critical).toHaveLength(1);
  });

  it('auth-failures fires on a spike of SDK auth error events as on 401/403 at the proxy, each an alert', async () => {
    const sdk = { source: 'sdk' };
    reader.readings.set('api', [ok('auth_failure_ratio', 0.2, 0.01), ok('auth_error_events', 12, 1, sdk)]);
    const pending = await round();
    expect(pending.map((a) => `${a.rule}/${a.state}/${a.labels.source ?? 'proxy'}`).sort()).toEqual([
      'auth-failures/pending/proxy',
      'auth-failures/pending/sdk',
    ]);
    reader.readings.set('api', [ok('auth_failure_ratio', 0.01, 0.01), ok('auth_error_events', 12, 1, sdk)]);
    await round();
    await round();
    const firing = await round(); // 30 s after the first breach
    expect(firing.find((a) => a.labels.source === 'sdk')).toMatchObject({ state: 'firing', value: 12, threshold: 5 });
    expect(critical).toEqual([
      expect.stringMatching(
        /^api: critical auth-failures on api \(staging\): .*auth error events.* — 12, threshold 5$/,
      ),
    ]);
    const [saved] = await listReadings(db, 'harbor', 'staging');
    expect(saved!.readings).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'auth_error_events', rules: ['auth-failures'] })]),
    );
  });

  it('a firing alert is announced again after repeatInterval', async () => {
    reader.readings.set('web', [ok('error_ratio', 0.05, 0.005)]);
    await round(30 * 60_000);
    await round(30 * 60_000);
    await round();
    expect((await events()).map((e) => e.kind)).toEqual(['alert.firing', 'alert.firing']);
  });

  it('a firing critical inhibits the warning of its service, not of another service', async () => {
    config.environments[0]!.alerts!.rules['api-latency-p95'] = { forMs: 0 };
    reader.readings.set('api', [ok('latency_p95_ms', 90, 40), ok('error_ratio', 0.05, 0.005)]);
    reader.readings.set('web', [ok('error_ratio', 0.05, 0.005)]);
    const alerts = await round();
    expect(alerts.find((a) => a.rule === 'error-rate' && a.labels.service === 'api')?.mutedBy).toBe(
      'inhibited by api-latency-p95',
    );
    const announced = (await events()).map((e) => `${e.data.rule}/${e.service}`).sort();
    expect(announced).toEqual(['api-latency-p95/api', 'error-rate/web']);
  });

  it('a silence mutes what it matches; when it ends: silence.expired, and the alert is announced', async () => {
    await insertSilence(db, {
      id: 'sil_1',
      project: 'harbor',
      environment: 'staging',
      matchers: [parseMatcher('alertname=error-rate', 'm'), parseMatcher('service=web', 'm')],
      comment: 'known: cache warming',
      createdBy: 'dana',
      startsAt: new Date(now - 1000),
      endsAt: new Date(now + 15_000),
    });
    reader.readings.set('web', [ok('error_ratio', 0.05, 0.005)]);
    expect((await round())[0]!.mutedBy).toBe('silence sil_1');
    await round();
    expect(await events()).toEqual([]);
    await round(); // now past endsAt
    const [expired, firing] = await events();
    expect(expired).toMatchObject({ kind: 'silence.expired', data: { id: 'sil_1', createdBy: 'dana' } });
    expect(firing).toMatchObject({ kind: 'alert.firing', data: { rule: 'error-rate' } });
  });

  it('a failed check is a reading with phase error, shown, never a firing alert', async () => {
    reader.readings.set('api', [
      { name: 'disk_used_ratio', labels: { volume: '/gone' }, phase: 'error', message: 'cannot stat /gone: ENOENT' },
    ]);
    config.environments[0]!.alerts!.rules['disk-usage'] = { forMs: 0 };
    expect(await round()).toEqual([]);
    const [saved] = await listReadings(db, 'harbor', 'staging');
    expect(saved!.readings).toEqual([
      expect.objectContaining({ name: 'disk_used_ratio', phase: 'error', service: 'api', rules: ['disk-usage'] }),
    ]);
  });

  it('an alert keeps its `for` timer across a new evaluator (a restarted coordinator)', async () => {
    reader.readings.set('api', [ok('latency_p95_ms', 90, 40)]);
    await round(20_000);
    const restarted = new AlertEvaluator({
      db,
      events: new EventLog(db, silentLogger),
      readers: [reader],
      clock: { now: () => now, sleep: async () => {} },
      logger: silentLogger,
    });
    now += 10_000;
    expect((await restarted.evaluate(config, env()))[0]!.state).toBe('firing');
  });
});
