import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import { instanceSpecFor } from '../engine/instance-spec.js';
import type { DeploymentRecord } from '../model/deployment.js';
import type { Db } from '../store/db.js';
import type { ReleaseRecord } from '../store/repos/releases.js';
import { loopbackHost, sentryDsnEnv } from './sentry-env.js';

/** What every instance gets for its Sentry SDK: DSN (at start, never stored), release and environment (in the spec). */
let db: Db;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(() => db?.close());

describe('Sentry variables of an instance', () => {
  it("SENTRY_DSN is the environment's DSN on this coordinator; the same key at every start", async () => {
    const spec = { project: 'harbor', environment: 'staging', env: {} };
    const first = await sentryDsnEnv(db, spec, () => 'http://127.0.0.1:7400');
    expect(first.SENTRY_DSN).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:7400\/\d+$/);
    expect(await sentryDsnEnv(db, spec, () => 'http://127.0.0.1:7400')).toEqual(first);
    const other = await sentryDsnEnv(db, { ...spec, environment: 'production' }, () => 'http://127.0.0.1:7400');
    expect(other.SENTRY_DSN).not.toBe(first.SENTRY_DSN);
  });

  it("a release that configures its own SENTRY_DSN (a team's Sentry) keeps it", async () => {
    const env = { SENTRY_DSN: 'https://abc@o1.ingest.example/5' };
    expect(await sentryDsnEnv(db, { project: 'harbor', environment: 'staging', env }, () => 'http://x:1')).toEqual({});
  });

  it('a release that sets SENTRY_DSN empty reports nothing: no DSN is given', async () => {
    const env = { SENTRY_DSN: '' };
    expect(await sentryDsnEnv(db, { project: 'harbor', environment: 'staging', env }, () => 'http://x:1')).toEqual({});
  });

  it('SENTRY_RELEASE and SENTRY_ENVIRONMENT come with the spec; the release env may override them', () => {
    const deployment = { project: 'harbor', service: 'api', environment: 'staging', settings: {} } as DeploymentRecord;
    const release = { version: '2.4.0', spec: { command: 'node', args: [], cwd: '/srv', env: { A: '1' } } };
    const spec = instanceSpecFor('ins_1', deployment, release as unknown as ReleaseRecord);
    expect(spec.env).toEqual({ SENTRY_RELEASE: '2.4.0', SENTRY_ENVIRONMENT: 'staging', A: '1' });
    release.spec.env = { SENTRY_ENVIRONMENT: 'stage-eu' } as never;
    expect(instanceSpecFor('ins_1', deployment, release as unknown as ReleaseRecord).env.SENTRY_ENVIRONMENT).toBe(
      'stage-eu',
    );
  });

  it('a wildcard listen address is reached on loopback', () => {
    expect([loopbackHost('0.0.0.0'), loopbackHost('::'), loopbackHost('::1'), loopbackHost('127.0.0.2')]).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '[::1]',
      '127.0.0.2',
    ]);
  });
});
