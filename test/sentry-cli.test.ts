import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken, generateToken } from '../src/api/auth.js';
import { listEvents } from '../src/store/repos/events.js';
import { testApi } from './support/api-harness.js';
import { engineHarness, type Harness } from './support/engine-harness.js';

/**
 * The real `sentry-cli` (npm @sentry/cli, whose Linux binary comes from the registry as
 * @sentry/cli-linux-x64) pointed at the coordinator with a Slipway token: what a CI that reports
 * releases and deploys to Sentry runs, unchanged but for SENTRY_URL and SENTRY_AUTH_TOKEN.
 */
const run = promisify(execFile);
const bin = path.resolve('node_modules/.bin/sentry-cli');
let h: Harness;
let app: FastifyInstance;
let dir: string;
let env: NodeJS.ProcessEnv;
const token = generateToken();

const cli = async (...args: string[]) => (await run(bin, args, { env, cwd: path.join(dir, 'repo') })).stdout;

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, token);
  app = await testApi(h);
  await app.listen({ port: 0, host: '127.0.0.1' });
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-sentry-cli-'));
  // A git repository with two commits, for set-commits --auto (sentry-cli reads the local history).
  const repo = path.join(dir, 'repo');
  const git = (...a: string[]) => run('git', a, { cwd: repo });
  await run('git', ['init', '-q', repo]);
  await git('config', 'user.email', 'ana@example.com');
  await git('config', 'user.name', 'Ana Lima');
  for (const [file, message] of [
    ['a.txt', 'feat: quotes in EUR'],
    ['b.txt', 'fix: premium rounding'],
  ]) {
    writeFileSync(path.join(repo, file!), message!);
    await git('add', file!);
    await git('commit', '-q', '-m', message!);
  }
  const port = (app.server.address() as { port: number }).port;
  env = {
    PATH: process.env.PATH,
    HOME: dir, // no ~/.sentryclirc of whoever runs the tests
    SENTRY_URL: `http://127.0.0.1:${port}/`,
    SENTRY_AUTH_TOKEN: token,
    SENTRY_ORG: 'acme',
    SENTRY_PROJECT: 'harbor',
    SENTRY_DISABLE_UPDATE_CHECK: 'true',
    SENTRY_LOAD_DOTENV: '0',
  };
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sentry-cli against the coordinator', () => {
  it('releases new, set-commits --auto, finalize, deploys new and list', async () => {
    expect(await cli('releases', 'new', '8.0.0')).toContain('Created release 8.0.0');
    expect(await cli('releases', 'set-commits', '8.0.0', '--auto')).toContain('Set commits for release 8.0.0');
    expect(await cli('releases', 'finalize', '8.0.0')).toContain('Finalized release 8.0.0');
    expect(await cli('deploys', 'new', '-r', '8.0.0', '-e', 'staging', '-n', 'ci-7')).toContain(
      "Created new deploy ci-7 for 'staging'",
    );
    const list = await cli('deploys', 'list', '-r', '8.0.0');
    expect(list).toMatch(/staging\s+\|\s+ci-7/);
    expect(await cli('releases', 'info', '8.0.0')).toContain('8.0.0');

    const release = (
      await app.inject({
        url: '/api/0/organizations/acme/releases/8.0.0/',
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
    expect(release).toMatchObject({
      version: '8.0.0',
      commitCount: 2,
      lastCommit: { message: expect.stringContaining('feat: quotes in EUR') },
      authors: [{ name: 'Ana Lima', email: 'ana@example.com' }],
      deployCount: 1,
      lastDeploy: { environment: 'staging', name: 'ci-7' },
      projects: [{ slug: 'harbor' }],
    });
    expect(Date.parse(release.dateReleased)).not.toBeNaN();
    const kinds = (await listEvents(h.db, { project: 'harbor' }))
      .filter((e) => e.kind.startsWith('sentry.'))
      .map((e) => e.kind);
    expect(kinds[0]).toBe('sentry.release.created');
    expect(kinds.at(-1)).toBe('sentry.deploy.recorded');
  }, 60_000);

  it('a wrong token fails the command, and nothing is recorded', async () => {
    const before = (await listEvents(h.db, { project: 'harbor' })).length;
    const failed = await run(bin, ['releases', 'new', '8.1.0'], {
      env: { ...env, SENTRY_AUTH_TOKEN: 'slw_not-a-token-of-this-coordinator' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).not.toBe(0);
    expect((failed as { stderr: string }).stderr).toMatch(/401|unauthori[sz]ed/i);
    expect((await listEvents(h.db, { project: 'harbor' })).length).toBe(before);
  }, 60_000);
});
