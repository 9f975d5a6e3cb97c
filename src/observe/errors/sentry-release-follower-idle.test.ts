import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, harnessConfig, type Harness } from '../../../test/support/engine-harness.js';
import { type SentryApiStandIn, startSentryApiStandIn } from '../../../test/support/sentry-api-stand-in.js';
import { SecretVault } from '../../access/secrets/vault.js';
import { silentLogger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { SentryReleaseFollower } from './sentry-release-follower.js';

/** The follower reads nothing while no project forwards releases; a deployment's events still wake it. */
const token = 'sntrys_eyJpYXQiOjE3MzM0OTk2MDB9_idle-test-0123456789';

let h: Harness | undefined;
let sentry: SentryApiStandIn | undefined;
let follower: SentryReleaseFollower | undefined;
let dir: string | undefined;
afterEach(async () => {
  await follower?.close();
  await h?.close();
  await sentry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = sentry = follower = dir = undefined;
});

/** The harness's store, counting the statements sent through it. */
function counting(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const view: Db = {
    driver: db.driver,
    query: (sql, params) => {
      n++;
      return db.query(sql, params);
    },
    exec: (script) => db.exec(script),
    transaction: (fn) => db.transaction(fn),
    background: () => view,
    deployment: () => view,
    close: () => db.close(),
  };
  return { db: view, statements: () => n };
}

async function until(what: string, ok: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the Sentry release follower without forwarding', () => {
  it('does not poll the store while no project forwards releases, and sends once one does', async () => {
    sentry = await startSentryApiStandIn({ organization: 'acme', projects: ['harbor-api'], token });
    h = await engineHarness();
    const harness = h;
    dir = await mkdtemp(path.join(tmpdir(), 'slipway-sentry-idle-'));
    const vault = SecretVault.open(harness.db, dir, {});
    await vault.set({ project: 'harbor', environment: 'staging' }, 'SENTRY_AUTH_TOKEN', token, 'test');
    const store = counting(harness.db);
    follower = new SentryReleaseFollower({
      db: store.db,
      logger: silentLogger,
      secretsFor: (project, environment) => vault.environmentFor({ project, environment }),
      subscribe: (listener) => harness.events.subscribe(listener),
      pollMs: 20,
    });
    await follower.start();
    const afterStart = store.statements();
    await new Promise((r) => setTimeout(r, 300)); // fifteen polls
    expect(store.statements()).toBe(afterStart);

    const c = harnessConfig();
    const releases = {
      url: sentry.url,
      organization: 'acme',
      projects: ['harbor-api'],
      tokenSecret: 'SENTRY_AUTH_TOKEN',
    };
    await harness.engine.applyProject({ ...c, errors: { ...c.errors, forward: { releases } } });
    const d = await harness.engine.deploy({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      version: '1.2.0',
    });
    expect((await harness.waitFinished(d.id)).state).toBe('succeeded');
    const standIn = sentry;
    await until('the deploy', () => standIn.deploys.length === 1);
    expect([...standIn.releases.keys()]).toEqual(['1.2.0']);
    expect(standIn.rejected).toEqual([]);
  });
});
