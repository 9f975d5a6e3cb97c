import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { ensureDsnKey } from '../../observe/errors/dsn.js';
import { ErrorIngest } from '../../observe/errors/error-ingest.js';
import { newId } from '../../shared/ids.js';
import { silentLogger } from '../../shared/logging.js';
import { listEvents } from '../../store/repos/events.js';
import { insertToken } from '../../store/repos/tokens.js';
import { generateToken, hashToken } from '../auth.js';

/**
 * Sentry's release API as sentry-cli calls it, with the request bodies Sentry documents
 * (docs.sentry.io/api/releases/): create, finalize, set-commits, deploys. sentry-cli itself is not
 * installed here (its npm package downloads a binary at install time), so the bodies are the documented ones.
 */
let h: Harness;
let app: FastifyInstance;
let ingest: ErrorIngest;
const tokens: Record<string, string> = {};
const org = '/api/0/organizations/acme';

const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, who = 'deployer@*') =>
  app.inject({
    method,
    url: `${org}${url}`,
    headers: who === 'nobody' ? {} : { authorization: `Bearer ${tokens[who]}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

beforeAll(async () => {
  h = await engineHarness();
  for (const [name, role, environments] of [
    ['deployer@*', 'deployer', '*'],
    ['deployer@staging', 'deployer', ['staging']],
    ['viewer@*', 'viewer', '*'],
  ] as const) {
    tokens[name] = generateToken();
    await insertToken(h.db, {
      id: newId('tok'),
      name,
      hash: hashToken(tokens[name]!),
      grants: [{ role, environments: environments === '*' ? '*' : [...environments] }],
    });
  }
  ingest = new ErrorIngest({ db: h.db, logger: silentLogger });
  app = await testApi(h, { errors: ingest });
  h.runtime.behaviour = () => 'healthy';
  const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '2.0rc2' });
  await h.waitFinished(d.id);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await ingest?.close();
  await h?.close();
});

describe('Sentry release API (sentry-cli releases / deploys)', () => {
  it('releases new: 201 with the release; the same version again is 208; linked to the Slipway release', async () => {
    // The documented example body of "Create a New Release for an Organization".
    const body = { version: '2.0rc2', ref: '6ba09a7c53235ee8a8fa5ee4c1ca8ca886e7fdbb', projects: ['harbor'] };
    const res = await call('POST', '/releases/', body);
    expect(res.statusCode, res.body).toBe(201);
    const release = res.json();
    expect(release).toMatchObject({
      version: '2.0rc2',
      shortVersion: '2.0rc2',
      ref: '6ba09a7c53235ee8a8fa5ee4c1ca8ca886e7fdbb',
      url: null,
      dateReleased: null,
      newGroups: 0,
      commitCount: 0,
      deployCount: 0,
      lastDeploy: null,
      projects: [{ slug: 'harbor', name: 'harbor' }],
    });
    expect(typeof release.id).toBe('number');
    expect(Date.parse(release.dateCreated)).not.toBeNaN();
    expect(release.data.slipwayReleases).toEqual([{ id: expect.any(String), project: 'harbor', service: 'api' }]);

    const again = await call('POST', '/releases/', { version: '2.0rc2', projects: ['harbor'] });
    expect(again.statusCode).toBe(208);
    expect(again.json()).toMatchObject({ id: release.id, ref: '6ba09a7c53235ee8a8fa5ee4c1ca8ca886e7fdbb' });
    const shown = await call('GET', '/releases/2.0rc2/', undefined, 'viewer@*');
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ id: release.id, version: '2.0rc2' });
    const events = await listEvents(h.db, { project: 'harbor' });
    expect(events.filter((e) => e.kind.startsWith('sentry.release.')).map((e) => e.message)).toEqual([
      'Sentry release 2.0rc2 created for harbor',
      'Sentry release 2.0rc2 named again for harbor',
    ]);
  });

  it('set-commits and finalize: commits, refs and dateReleased are kept and shown', async () => {
    await call('POST', '/releases/', { version: '3.1.0', projects: ['harbor'] });
    const refs = await call('PUT', '/releases/3.1.0/', {
      refs: [{ repository: 'acme/harbor', commit: 'a1b2c3d4', previousCommit: '99aa88bb' }],
    });
    expect(refs.statusCode, refs.body).toBe(200);
    const commits = await call('PUT', '/releases/3.1.0/', {
      commits: [
        {
          id: 'a1b2c3d4',
          repository: 'acme/harbor',
          message: 'fix: premium rounding',
          author_name: 'Ana Lima',
          author_email: 'ana@example.com',
          timestamp: '2026-12-04T16:59:00Z',
        },
        { id: 'e5f6a7b8', message: 'feat: quotes in EUR', author_name: 'Ben', author_email: 'ben@example.com' },
      ],
    });
    expect(commits.statusCode, commits.body).toBe(200);
    const finalized = await call('PUT', '/releases/3.1.0/', {
      projects: ['harbor'],
      dateReleased: '2026-12-04T17:00:00.123456Z',
    });
    expect(finalized.statusCode, finalized.body).toBe(200);
    expect(finalized.json()).toMatchObject({
      version: '3.1.0',
      dateReleased: '2026-12-04T17:00:00.123456Z',
      commitCount: 2,
      lastCommit: { id: 'e5f6a7b8', message: 'feat: quotes in EUR' },
      authors: [
        { name: 'Ana Lima', email: 'ana@example.com' },
        { name: 'Ben', email: 'ben@example.com' },
      ],
      data: { refs: [{ repository: 'acme/harbor', commit: 'a1b2c3d4', previousCommit: '99aa88bb' }] },
    });
  });

  it('deploys new: 201 in the documented shape, an event of the environment, listed newest first', async () => {
    await call('POST', '/releases/', { version: '4.0.0', projects: ['harbor'] });
    const first = await call('POST', '/releases/4.0.0/deploys/', { environment: 'staging' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({
      id: expect.any(String),
      environment: 'staging',
      name: null,
      url: null,
      dateStarted: null,
      dateFinished: expect.any(String),
    });
    const second = await call('POST', '/releases/4.0.0/deploys/', {
      environment: 'production',
      name: 'ci-42',
      url: 'https://ci.example.com/42',
      dateStarted: '2026-12-04T17:00:00Z',
      dateFinished: '2026-12-04T17:03:00Z',
    });
    expect(second.statusCode, second.body).toBe(201);
    const list = await call('GET', '/releases/4.0.0/deploys/', undefined, 'viewer@*');
    expect(list.json().map((d: { environment: string }) => d.environment)).toEqual(['production', 'staging']);
    const release = (await call('GET', '/releases/4.0.0/')).json();
    expect(release).toMatchObject({
      deployCount: 2,
      lastDeploy: { name: 'ci-42', dateFinished: '2026-12-04T17:03:00Z' },
    });
    const recorded = (await listEvents(h.db, { project: 'harbor', environment: 'production' })).filter(
      (e) => e.kind === 'sentry.deploy.recorded',
    );
    expect(recorded.map((e) => e.message)).toEqual(['release 4.0.0 deployed to production (ci-42)']);
    expect(recorded[0]!.data).toMatchObject({
      version: '4.0.0',
      organization: 'acme',
      deploy: { id: second.json().id },
    });
  });

  it("counts the release's errors from Slipway's issues", async () => {
    await call('POST', '/releases/', { version: '5.0.0', projects: ['harbor'] });
    const key = await ensureDsnKey(h.db, 'harbor', 'staging');
    const event = sentryEvent({ type: 'RangeError', value: 'premium out of range', release: '5.0.0' });
    await ingest.ingest(key, envelopeOf([['event', event]]), undefined, 'envelope');
    await ingest.flush();
    const release = (await call('GET', '/releases/5.0.0/')).json();
    expect(release.newGroups).toBe(1);
    expect(Date.parse(release.firstEvent)).not.toBeNaN();
    expect(release.lastEvent).toBe(release.firstEvent);
  });

  it('bad input is a 400 naming the field; nothing is recorded', async () => {
    const before = (await listEvents(h.db, { project: 'harbor' })).length;
    const cases: [string, 'POST' | 'PUT', string, unknown, string][] = [
      ['no version', 'POST', '/releases/', { projects: ['harbor'] }, 'body.version'],
      ['no projects', 'POST', '/releases/', { version: '9.0.0' }, 'body.projects'],
      ['empty projects', 'POST', '/releases/', { version: '9.0.0', projects: [] }, 'body.projects'],
      ['"latest"', 'POST', '/releases/', { version: 'latest', projects: ['harbor'] }, 'body.version'],
      ['a tab', 'POST', '/releases/', { version: '9.0\t1', projects: ['harbor'] }, 'body.version'],
      ['unknown project', 'POST', '/releases/', { version: '9.0.0', projects: ['harbor', 'nope'] }, 'body.projects[1]'],
      ['bad date', 'PUT', '/releases/2.0rc2/', { dateReleased: 'yesterday' }, 'body.dateReleased'],
      ['commit without id', 'PUT', '/releases/2.0rc2/', { commits: [{ message: 'x' }] }, 'body.commits.0.id'],
      ['ref without commit', 'PUT', '/releases/2.0rc2/', { refs: [{ repository: 'a/b' }] }, 'body.refs.0.commit'],
      ['deploy without environment', 'POST', '/releases/2.0rc2/deploys/', { name: 'x' }, 'body.environment'],
      [
        'deploy date',
        'POST',
        '/releases/2.0rc2/deploys/',
        { environment: 'staging', dateFinished: 5 },
        'body.dateFinished',
      ],
    ];
    for (const [what, method, url, body, field] of cases) {
      const res = await call(method, url, body);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(res.json().error.message, what).toContain(field);
    }
    const notIncluded = await call('POST', '/releases/2.0rc2/deploys/', {
      environment: 'staging',
      projects: ['other'],
    });
    expect(notIncluded.statusCode).toBe(400);
    expect(notIncluded.json().error.message).toContain('body.projects[0]');
    expect((await listEvents(h.db, { project: 'harbor' })).length).toBe(before);
  });

  it('an unknown release is a 404 for show, update and deploys', async () => {
    for (const [method, url, body] of [
      ['GET', '/releases/0.0.404/', undefined],
      ['PUT', '/releases/0.0.404/', { dateReleased: '2026-12-04T17:00:00Z' }],
      ['POST', '/releases/0.0.404/deploys/', { environment: 'staging' }],
      ['GET', '/releases/0.0.404/deploys/', undefined],
    ] as const) {
      const res = await call(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.message).toContain('no release "0.0.404"');
    }
  });

  it('needs a Slipway token: none is 401, a viewer may not write, a deployer deploys only where granted', async () => {
    expect((await call('POST', '/releases/', { version: '6.0.0', projects: ['harbor'] }, 'nobody')).statusCode).toBe(
      401,
    );
    expect((await call('GET', '/releases/2.0rc2/', undefined, 'nobody')).statusCode).toBe(401);
    expect((await call('POST', '/releases/', { version: '6.0.0', projects: ['harbor'] }, 'viewer@*')).statusCode).toBe(
      403,
    );
    const ci = await call('POST', '/releases/', { version: '6.0.0', projects: ['harbor'] }, 'deployer@staging');
    expect(ci.statusCode).toBe(201);
    expect(
      (await call('POST', '/releases/6.0.0/deploys/', { environment: 'staging' }, 'deployer@staging')).statusCode,
    ).toBe(201);
    const prod = await call('POST', '/releases/6.0.0/deploys/', { environment: 'production' }, 'deployer@staging');
    expect(prod.statusCode).toBe(403);
    expect(prod.json().error.message).toContain('deployer on production required');
  });
});
