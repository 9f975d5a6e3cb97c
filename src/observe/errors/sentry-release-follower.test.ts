import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { testApi } from '../../../test/support/api-harness.js';
import { engineHarness, harnessConfig, type Harness } from '../../../test/support/engine-harness.js';
import { type SentryApiStandIn, startSentryApiStandIn } from '../../../test/support/sentry-api-stand-in.js';
import { SecretVault } from '../../access/secrets/vault.js';
import { ensureAdminToken, generateToken } from '../../api/auth.js';
import type { ProjectConfig } from '../../config/model.js';
import { listEvents } from '../../store/repos/events.js';
import { SentryReleaseFollower, type SentryReleaseFollowerOptions } from './sentry-release-follower.js';

/**
 * The follower driven by real engine events (deployments through the engine harness) against a local stand-in for
 * Sentry's release API that checks the documented request format (no Sentry can run here).
 */
const token = 'sntrys_eyJpYXQiOjE3MzM0OTk2MDB9_secret-part-0123456789';

let h: Harness | undefined;
let sentry: SentryApiStandIn | undefined;
let follower: SentryReleaseFollower | undefined;
let dir: string | undefined;
const logLines: string[] = [];
afterEach(async () => {
  await follower?.close();
  await h?.close();
  await sentry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = sentry = follower = dir = undefined;
  logLines.length = 0;
});

/** Every level, no redaction: what the follower writes, as it writes it. */
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

function withSentry(url: string): ProjectConfig {
  const c = harnessConfig();
  const releases = { url, organization: 'acme', projects: ['harbor-api'], tokenSecret: 'SENTRY_AUTH_TOKEN' };
  return { ...c, errors: { ...c.errors, forward: { releases } } };
}

/** A harness whose staging has the token in Slipway's secrets (production has none), and a started follower. */
async function setup(o: Partial<SentryReleaseFollowerOptions> = {}) {
  sentry = await startSentryApiStandIn({ organization: 'acme', projects: ['harbor-api'], token });
  h = await engineHarness(withSentry(sentry.url));
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-sentry-'));
  const vault = SecretVault.open(h.db, dir, {});
  await vault.set({ project: 'harbor', environment: 'staging' }, 'SENTRY_AUTH_TOKEN', token, 'test');
  follower = await startFollower(vault, o);
  return { harness: h, standIn: sentry, vault };
}

async function startFollower(vault: SecretVault, o: Partial<SentryReleaseFollowerOptions> = {}) {
  const harness = h!;
  const f = new SentryReleaseFollower({
    db: harness.db,
    logger,
    secretsFor: (project, environment) => vault.environmentFor({ project, environment }),
    emit: (e) => harness.events.emit(e),
    subscribe: (listener) => harness.events.subscribe(listener),
    pollMs: 200,
    backoffMs: 20,
    timeoutMs: 1000,
    ...o,
  });
  await f.start();
  return f;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function deploy(harness: Harness, version: string, environment = 'staging') {
  const d = await harness.engine.deploy({ project: 'harbor', service: 'api', environment, version });
  return harness.waitFinished(d.id);
}

/** Neither the follower's log lines nor any stored event holds the token. */
async function expectNoToken(harness: Harness) {
  expect(logLines.length).toBeGreaterThan(0);
  expect(logLines.join('\n')).not.toContain(token);
  expect(JSON.stringify(await listEvents(harness.db, { project: 'harbor', limit: 10_000 }))).not.toContain(token);
}

describe("releases and deploys in the team's Sentry", () => {
  it('a deployment creates its release when it starts and a deploy when it succeeds, as Sentry documents', async () => {
    const { harness, standIn } = await setup();
    const d = await deploy(harness, '2.1.0+build.7');
    expect(d.state).toBe('succeeded');
    await until('the deploy', () => standIn.deploys.length === 1);
    expect(standIn.rejected).toEqual([]);
    expect([...standIn.releases.values()]).toEqual([{ version: '2.1.0+build.7', projects: ['harbor-api'] }]);
    expect(standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/0/organizations/acme/releases/',
      'POST /api/0/organizations/acme/releases/2.1.0%2Bbuild.7/deploys/',
    ]);
    const [deployed] = standIn.deploys;
    expect(deployed).toEqual({
      version: '2.1.0+build.7',
      environment: 'staging',
      name: `slipway ${d.id}`,
      dateStarted: d.startedAt!.toISOString(),
      dateFinished: d.finishedAt!.toISOString(),
    });
    expect(Date.parse(deployed!.dateFinished!)).toBeGreaterThanOrEqual(Date.parse(deployed!.dateStarted!));
    // The outcomes are events of the deployment; production has no token: its deployment sends nothing.
    const sent = async () =>
      (await listEvents(harness.db, { deploymentId: d.id, limit: 100 })).filter(
        (e) => e.kind === 'sentry.upstream.sent',
      );
    await until('the events', async () => (await sent()).length === 2);
    expect((await sent()).map((e) => e.message)).toEqual([
      'release 2.1.0+build.7 created in Sentry (organization acme) (HTTP 201)',
      'deploy of 2.1.0+build.7 to staging recorded in Sentry (HTTP 201)',
    ]);
    expect((await deploy(harness, '2.1.0+build.7', 'production')).state).toBe('succeeded');
    await until('production skipped', () => logLines.some((l) => l.includes('production has no secret')));
    expect(standIn.requests).toHaveLength(2);
    await expectNoToken(harness);
  });

  it('a failing Sentry (500, then silence) neither delays nor fails the deployment; retried, it arrives', async () => {
    const { harness, standIn } = await setup({ timeoutMs: 1500, backoffMs: 100 });
    standIn.script.push(500, 'hang');
    const before = Date.now();
    const d = await deploy(harness, '3.0.0');
    expect(d.state).toBe('succeeded');
    const deployedIn = Date.now() - before;
    // The release waited for a 500, a 1.5 s silence and two backoffs; the deployment had ended by then.
    await until('the deploy', () => standIn.deploys.length === 1, 15_000);
    const releaseCreated = standIn.requests[2]!;
    expect(releaseCreated.path).toBe('/api/0/organizations/acme/releases/');
    expect(releaseCreated.at - standIn.requests[0]!.at).toBeGreaterThanOrEqual(1500);
    expect(d.finishedAt!.getTime()).toBeLessThan(releaseCreated.at);
    expect(deployedIn).toBeLessThan(releaseCreated.at - before);
    expect(standIn.rejected).toEqual([]);
    expect(standIn.deploys[0]).toMatchObject({ version: '3.0.0', environment: 'staging' });
    await expectNoToken(harness);
  });

  it('a Sentry that never answers: the deployment succeeds, the follower gives up, logged and recorded', async () => {
    const { harness, standIn } = await setup({ timeoutMs: 200, attempts: 3 });
    standIn.script.push(...Array<'hang'>(20).fill('hang'));
    const d = await deploy(harness, '4.0.0');
    expect(d.state).toBe('succeeded');
    const failed = async () =>
      (await listEvents(harness.db, { deploymentId: d.id, limit: 100 })).filter(
        (e) => e.kind === 'sentry.upstream.failed',
      );
    await until('both given up', async () => (await failed()).length === 2);
    expect(standIn.requests).toHaveLength(6);
    expect((await failed()).map((e) => e.message)).toEqual([
      'could not create the release of 4.0.0 in Sentry after 3 attempts: no answer within 200 ms',
      'could not create the deploy of 4.0.0 in Sentry after 3 attempts: no answer within 200 ms',
    ]);
    await expectNoToken(harness);
  });

  it('a refused request (wrong token) is not retried, and warns without the token', async () => {
    const { harness, standIn, vault } = await setup();
    await vault.set({ project: 'harbor', environment: 'staging' }, 'SENTRY_AUTH_TOKEN', `${token}-revoked`, 'test');
    const d = await deploy(harness, '5.0.0');
    await until('both refusals', () => logLines.filter((l) => l.includes('Sentry refused')).length === 2);
    await follower!.poll(); // nothing more comes
    expect(standIn.requests.map((r) => r.path)).toEqual([
      '/api/0/organizations/acme/releases/',
      '/api/0/organizations/acme/releases/5.0.0/deploys/',
    ]);
    const warning = JSON.parse(logLines.find((l) => l.includes('Sentry refused'))!);
    expect(warning).toMatchObject({ level: 40, status: 401, project: 'harbor', environment: 'staging' });
    expect(warning.msg).toBe('Sentry refused the release of 5.0.0: HTTP 401 Invalid token; not retried');
    expect(d.state).toBe('succeeded');
    expect(logLines.join('\n')).not.toContain(`${token}-revoked`);
    await expectNoToken(harness);
  });

  it('a failed deployment gets its release, no deploy; a deploy whose release is missing creates it', async () => {
    const { harness, standIn } = await setup();
    harness.runtime.behaviour = (spec) => (spec.release === '6.0.0' ? 'failed' : 'healthy');
    expect((await deploy(harness, '6.0.0')).state).toBe('failed');
    await until('the release', () => standIn.releases.has('6.0.0'));
    // The release was deleted in Sentry (or never made it): the deploy's 404 has the follower create it again.
    standIn.script.push(201);
    const d = await deploy(harness, '6.0.1');
    expect(d.state).toBe('succeeded');
    await until('the deploy', () => standIn.deploys.length === 1);
    expect(standIn.requests.map((r) => r.path.replace('/api/0/organizations/acme/releases/', '…/'))).toEqual([
      '…/', // 6.0.0
      '…/', // 6.0.1: answered 201 by the script, not stored
      '…/6.0.1/deploys/', // 404
      '…/', // created
      '…/6.0.1/deploys/',
    ]);
    expect(standIn.deploys.map((x) => x.version)).toEqual(['6.0.1']);
    expect(standIn.rejected).toEqual([]);
  });

  it('a restarted follower does not send again what it handled; it sends what came while it was down', async () => {
    const { harness, standIn, vault } = await setup();
    await deploy(harness, '7.0.0');
    await until('the deploy', () => standIn.deploys.length === 1);
    await follower!.close();
    const d = await deploy(harness, '7.1.0'); // while no follower runs
    expect(d.state).toBe('succeeded');
    follower = await startFollower(vault);
    await follower.poll();
    await until('the second deploy', () => standIn.deploys.length === 2);
    await follower.poll();
    expect(standIn.requests.map((r) => JSON.parse(r.body).version ?? r.path.split('/').at(-3))).toEqual([
      '7.0.0',
      '7.0.0',
      '7.1.0',
      '7.1.0',
    ]);
    expect(standIn.rejected).toEqual([]);
  });

  it('a rollback that succeeds is a deploy of the release it brought back', async () => {
    const { harness, standIn } = await setup();
    await deploy(harness, '9.0.0');
    await deploy(harness, '9.1.0');
    const { deployment } = await harness.engine.rollback({ project: 'harbor', service: 'api', environment: 'staging' });
    expect((await harness.waitFinished(deployment.id)).state).toBe('succeeded');
    await until('three deploys', () => standIn.deploys.length === 3);
    expect(standIn.deploys.map((x) => x.version)).toEqual(['9.0.0', '9.1.0', '9.0.0']);
    expect(standIn.deploys[2]!.name).toBe(`slipway ${deployment.id}`);
    expect(standIn.rejected).toEqual([]);
  });

  it('closing while Sentry hangs takes the grace, no more; the next start sends that event again', async () => {
    const { harness, standIn, vault } = await setup({ closeGraceMs: 300, timeoutMs: 10_000 });
    standIn.script.push('hang');
    await deploy(harness, '8.0.0');
    await until('the hanging request', () => standIn.requests.length === 1);
    const closing = Date.now();
    await follower!.close();
    expect(Date.now() - closing).toBeLessThan(2000);
    expect(standIn.requests).toHaveLength(1); // no retry after close
    follower = await startFollower(vault);
    await follower.poll();
    await until('the deploy', () => standIn.deploys.length === 1);
    expect([...standIn.releases.keys()]).toEqual(['8.0.0']);
    expect(standIn.rejected).toEqual([]);
  });

  it("Slipway's own implementation of the API (for sentry-cli) accepts what the follower sends", async () => {
    // A second check of the format: the release routes of src/api/routes/sentry-releases.ts validate bodies with the
    // fields docs.sentry.io documents. There Sentry project slugs are Slipway project names.
    h = await engineHarness();
    const harness = h;
    const slipwayToken = generateToken();
    await ensureAdminToken(harness.db, slipwayToken);
    const app = await testApi(harness);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const c = withSentry(url);
      await harness.engine.applyProject({
        ...c,
        errors: { ...c.errors, forward: { releases: { ...c.errors.forward!.releases!, projects: ['harbor'] } } },
      });
      dir = await mkdtemp(path.join(tmpdir(), 'slipway-sentry-'));
      const vault = SecretVault.open(harness.db, dir, {});
      await vault.set({ project: 'harbor', environment: 'staging' }, 'SENTRY_AUTH_TOKEN', slipwayToken, 'test');
      follower = await startFollower(vault);
      const d = await deploy(harness, '2.1.0+build.7');
      const recorded = async () =>
        (await listEvents(harness.db, { project: 'harbor', limit: 1000 })).map((e) => e.kind);
      await until('the deploy recorded', async () => (await recorded()).includes('sentry.deploy.recorded'));
      const answer = await app.inject({
        url: '/api/0/organizations/acme/releases/2.1.0%2Bbuild.7/deploys/',
        headers: { authorization: `Bearer ${slipwayToken}` },
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual([
        expect.objectContaining({
          environment: 'staging',
          name: `slipway ${d.id}`,
          dateStarted: d.startedAt!.toISOString(),
          dateFinished: d.finishedAt!.toISOString(),
        }),
      ]);
      await until(
        'the outcomes',
        async () => (await recorded()).filter((k) => k === 'sentry.upstream.sent').length === 2,
      );
      expect(await recorded()).not.toContain('sentry.upstream.failed');
    } finally {
      await follower?.close();
      await app.close();
    }
  });
});
