import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken } from '../src/api/auth.js';
import { ensureDsnKey } from '../src/observe/errors/dsn.js';
import { ErrorIngest } from '../src/observe/errors/error-ingest.js';
import { silentLogger } from '../src/shared/logging.js';
import { testApi } from './support/api-harness.js';
import { runSlipway } from './support/cli.js';
import { engineHarness, type Harness } from './support/engine-harness.js';
import { envelopeOf, sentryEvent } from './support/sentry-envelopes.js';

/**
 * `slipway errors --json` and `slipway errors show` as a user runs them, on issues that envelopes made through the
 * real ingest: the JSON is the API's issue list, and `show` prints the latest event's tags — in the object form
 * the JavaScript SDKs send and the list of pairs of the protocol's other form — with what an SDK sent kept as text.
 * And the options a subcommand shares with its command (`errors show --json`, `alerts export-rules --env`).
 */
const admin = 'slw_errors-cli-test-admin-token-00000';
let h: Harness;
let app: FastifyInstance;
let ingest: ErrorIngest;
let cwd: string;
let base: string;
const slipway = (...args: string[]) =>
  runSlipway(['--project', 'harbor', ...args], { cwd, env: { SLIPWAY_URL: base, SLIPWAY_TOKEN: admin } });

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  ingest = new ErrorIngest({ db: h.db, logger: silentLogger, threads: 0 });
  app = await testApi(h, { errors: ingest });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  cwd = mkdtempSync(path.join(tmpdir(), 'slipway-errors-cli-'));
  const key = await ensureDsnKey(h.db, 'harbor', 'staging');
  const surcharge = sentryEvent({ type: 'SurchargeError', value: 'no surcharge for tanker', release: '2.0.0' });
  const ledger = sentryEvent({ type: 'LedgerError', value: 'ledger lag', release: '2.0.0', user: 'ana' });
  const events: Record<string, unknown>[] = [
    { ...surcharge, tags: { route: '/quotes', region: 'eu-north-1', 'x.forged': 'a\u001b[2Jb\nc' } },
    {
      ...ledger,
      tags: [
        ['runtime', 'CPython 3.11'],
        ['handled', 'no'],
      ],
    },
  ];
  for (const e of events)
    await ingest.ingest(
      key,
      gzipSync(envelopeOf([['event', e]], { event_id: String(e.event_id) })),
      'gzip',
      'envelope',
    );
  const session = { sid: crypto.randomUUID(), did: 'ana', status: 'ok', started: new Date().toISOString() };
  await ingest.ingest(
    key,
    envelopeOf([['session', { ...session, attrs: { release: '2.0.0' } }]]),
    undefined,
    'envelope',
  );
  await ingest.flush();
}, 60_000);
afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await app?.close();
  await ingest?.close();
  await h?.close();
});

describe('slipway errors', () => {
  it('--json prints the issues as the API has them', async () => {
    const res = await slipway('errors', '--env', 'staging', '--json');
    expect(res.code, res.stderr).toBe(0);
    const { issues } = JSON.parse(res.stdout) as { issues: Record<string, unknown>[] };
    expect(issues.map((i) => i.title).sort()).toEqual([
      'LedgerError: ledger lag',
      'SurchargeError: no surcharge for tanker',
    ]);
    expect(issues.find((i) => i.title === 'LedgerError: ledger lag')).toMatchObject({
      id: expect.stringMatching(/^iss_/),
      status: 'unresolved',
      level: 'error',
      events: 1,
      users: 1,
      firstRelease: '2.0.0',
      newInRelease: false,
      regressed: false,
      counts: [expect.objectContaining({ release: '2.0.0', environment: 'staging', events: 1, users: 1, new: true })],
    });
    const release = JSON.parse((await slipway('errors', '--release', '2.0.0', '--json')).stdout);
    expect(release.issues.every((i: { newInRelease: boolean }) => i.newInRelease)).toBe(true);
    const none = JSON.parse((await slipway('errors', '--release', '9.9.9', '--json')).stdout);
    expect(none).toEqual({ issues: [] });
  });

  it("show prints the latest event's tags, whichever form the SDK sent them in", async () => {
    const { issues } = JSON.parse((await slipway('errors', '--json')).stdout) as {
      issues: { id: string; title: string }[];
    };
    const id = (prefix: string) => issues.find((i) => i.title.startsWith(prefix))!.id;
    const surcharge = await slipway('errors', 'show', id('Surcharge'));
    expect(surcharge.code, surcharge.stderr).toBe(0);
    const tags = (out: string) => out.slice(out.indexOf('\nTAG')).trim().split('\n');
    expect(tags(surcharge.stdout)).toEqual([
      'TAG       VALUE',
      'region    eu-north-1',
      'route     /quotes',
      'x.forged  a\\u001b[2Jb\\nc',
    ]);
    const ledger = await slipway('errors', 'show', id('Ledger'));
    expect(tags(ledger.stdout)).toEqual(['TAG      VALUE', 'handled  no', 'runtime  CPython 3.11']);
    const json = JSON.parse((await slipway('errors', 'show', id('Ledger'), '--json')).stdout);
    expect(json.latest.tags).toEqual({ runtime: 'CPython 3.11', handled: 'no' });
  });

  it("a subcommand's --json, --env and --release are its own, though `errors` has them too", async () => {
    const { issues } = JSON.parse((await slipway('errors', '--json')).stdout) as { issues: { id: string }[] };
    const resolved = await slipway('errors', 'resolve', issues[0]!.id, '--release', '2.0.1', '--json');
    expect(JSON.parse(resolved.stdout)).toEqual({ issue: issues[0]!.id, status: 'resolved', before: 'unresolved' });
    const staging = JSON.parse((await slipway('errors', 'health', '--env', 'staging', '--json')).stdout);
    expect(staging.releases).toEqual([expect.objectContaining({ release: '2.0.0', environment: 'staging' })]);
    const production = JSON.parse((await slipway('errors', 'health', '--env', 'production', '--json')).stdout);
    expect(production.releases).toEqual([]);
  });
});

describe('slipway alerts export-rules', () => {
  it('--env exports that environment only, though `alerts` has --env too', async () => {
    const staging = await slipway('alerts', 'export-rules', '--env', 'staging');
    expect(staging.code, staging.stderr).toBe(0);
    expect(staging.stdout).toMatch(/^groups:\n {2}- name: slipway-harbor-staging\n/);
    expect(staging.stdout).not.toContain('slipway-harbor-production');
    expect((await slipway('alerts', 'export-rules')).stdout).toContain('slipway-harbor-production');
  });
});
