import { testApi } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import type { Grant } from '../access/types.js';
import { validateConfigObject } from '../config/validate.js';
import { newId } from '../shared/ids.js';
import { insertToken } from '../store/repos/tokens.js';
import { listEvents } from '../store/repos/events.js';
import { generateToken, hashToken } from './auth.js';

/**
 * Approvals through the API: production needs 2 approvals from alice or any approver token;
 * deployments are refused (saying what they wait for) until enough count, a rejection stops a
 * release, and whoever first deployed or is deploying a release cannot approve it.
 */
let h: Harness;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const people: Record<string, Grant[]> = {
  alice: [{ role: 'viewer', environments: '*' }],
  bob: [
    { role: 'approver', environments: ['production'] },
    { role: 'deployer', environments: ['staging'] },
  ],
  carol: [{ role: 'approver', environments: ['production'] }],
  dave: [{ role: 'deployer', environments: '*' }],
  eve: [{ role: 'viewer', environments: ['production'] }],
  root: [{ role: 'admin', environments: '*' }],
};

beforeAll(async () => {
  const config = validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081' },
        production: {
          listen: '127.0.0.1:18082',
          requires: ['staging'],
          approvals: { required: 2, approvers: ['alice', 'role:approver'] },
        },
      },
      services: {
        api: {
          command: 'node',
          args: ['server.js'],
          instances: 1,
          health: { interval: '50ms', startTimeout: '2s' },
          drainTimeout: '1s',
        },
      },
    },
    { baseDir: '/srv/harbor' },
  );
  h = await engineHarness(config);
  for (const [name, grants] of Object.entries(people)) {
    tokens[name] = generateToken();
    await insertToken(h.db, { id: newId('tok'), name, hash: hashToken(tokens[name]!), grants });
  }
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const decide = (who: string, body: Record<string, unknown>) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/projects/harbor/approvals',
    headers: as(who),
    payload: { environment: 'production', ...body },
  });
const deploy = (who: string, environment: string, version: string, extra: Record<string, unknown> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/projects/harbor/deployments',
    headers: as(who),
    payload: { service: 'api', environment, version, ...extra },
  });
const list = async (query: string, who = 'eve') =>
  (await app.inject({ url: `/api/v1/projects/harbor/approvals?${query}`, headers: as(who) })).json().approvals;

async function staged(version: string, who = 'dave'): Promise<void> {
  const res = await deploy(who, 'staging', version);
  expect(res.statusCode).toBe(201);
  expect((await h.waitFinished(res.json().deployment.id)).state).toBe('succeeded');
}

async function deployed(who: string, version: string): Promise<void> {
  const res = await deploy(who, 'production', version);
  expect(res.statusCode, res.body).toBe(201);
  expect((await h.waitFinished(res.json().deployment.id)).state).toBe('succeeded');
}

describe('approvals API', () => {
  it('a release nobody deployed yet cannot be approved: 404 saying to deploy it first', async () => {
    const res = await decide('alice', { version: '1.0.0', decision: 'approve' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('no release 1.0.0 exists yet: deploy it to an earlier environment first');
  });

  it('refused until two approvals count, then deployed; pending list and pipeline view say what is ' +
    'missing', async () => {
    await staged('1.0.0');
    const refused = await deploy('dave', 'production', '1.0.0');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toBe(
      'production needs 2 approvals of api 1.0.0; has none; waits for 2 more from: alice, role:approver',
    );
    // The event on-approval-needed notifications follow.
    const needed = (await listEvents(h.db, { environment: 'production', limit: 5000 })).filter(
      (e) => e.kind === 'approval.needed',
    );
    expect(needed.at(-1)).toMatchObject({
      service: 'api',
      message: 'production needs 2 approvals of api 1.0.0; has none; waits for 2 more from: alice, role:approver',
      data: { version: '1.0.0', by: 'dave', missing: 2 },
    });
    const emergency = await deploy('root', 'production', '1.0.0', { emergency: { reason: 'payment outage hotfix' } });
    expect(emergency.statusCode).toBe(409); // emergencies skip freezes, not approvals

    const first = await decide('alice', { version: '1.0.0', decision: 'approve' });
    expect(first.statusCode).toBe(201);
    expect(first.json().decisions).toMatchObject([
      { service: 'api', version: '1.0.0', decision: 'approve', by: 'alice', reason: null },
    ]);
    expect(first.json().approvals).toMatchObject([{ state: 'pending', approvedBy: ['alice'], missing: 1 }]);
    expect(await list('pending=true')).toMatchObject([
      {
        service: 'api',
        version: '1.0.0',
        environment: 'production',
        state: 'pending',
        approvedBy: ['alice'],
        missing: 1,
      },
    ]);
    const pipeline = (await app.inject({ url: '/api/v1/projects/harbor/pipeline', headers: as('eve') })).json();
    expect(pipeline.releases[0].stages[1]).toEqual({
      environment: 'production',
      state: 'waiting',
      waitsFor: ['production needs 2 approvals of api 1.0.0; has 1 (alice); waits for 1 more from: role:approver'],
    });
    expect((await deploy('dave', 'production', '1.0.0')).json().error.message).toBe(
      'production needs 2 approvals of api 1.0.0; has 1 (alice); waits for 1 more from: role:approver',
    );

    expect(
      (await decide('carol', { version: '1.0.0', decision: 'approve', service: 'api', reason: 'looks good' })).json()
        .approvals,
    ).toMatchObject([{ state: 'approved', approvedBy: ['alice', 'carol'] }]);
    expect(await list('pending=true')).toEqual([]);
    await deployed('dave', '1.0.0');
  }, 30_000);

  it('403 for a token that is not an approver there, naming who may approve; a rejection needs a reason', async () => {
    await staged('1.1.0');
    const eve = await decide('eve', { version: '1.1.0', decision: 'approve' });
    expect(eve.statusCode).toBe(403);
    expect(eve.json().error.message).toBe(
      'token "eve" may not approve in production: approvers are alice, role:approver; it has viewer on production',
    );
    const noReason = await decide('carol', { version: '1.1.0', decision: 'reject' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toMatch(/a rejection needs a reason/);
    // A reason is read in terminals and the dashboard: no escape sequence, newline or text-reordering character.
    for (const reason of ['breaks \u001b[2Jinvoices', 'breaks\ninvoices', 'breaks \u202eseciovni']) {
      const hidden = await decide('carol', { version: '1.1.0', decision: 'reject', reason });
      expect(hidden.statusCode).toBe(400);
      expect(hidden.json().error.message).toMatch(/^body\.reason: (must be one line|contains U\+202E)/);
    }
    const unknown = await decide('alice', { version: '1.1.0', decision: 'approve', environment: 'staging' });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json().error.message).toBe(
      'staging needs no approvals: add approvals: to environments.staging in slipway.yaml to require them',
    );
  }, 30_000);

  it('a rejection stops the release whatever the approvals, until its author approves after all; it is ' +
    'audited', async () => {
    expect(
      (await decide('carol', { version: '1.1.0', decision: 'reject', reason: 'breaks invoices' })).json().approvals,
    ).toMatchObject([{ state: 'rejected', rejection: { by: 'carol', reason: 'breaks invoices' } }]);
    await decide('alice', { version: '1.1.0', decision: 'approve' });
    await decide('bob', { version: '1.1.0', decision: 'approve' });
    const refused = await deploy('dave', 'production', '1.1.0');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toBe(
      'api 1.1.0 was rejected for production by carol: "breaks invoices"; deploy a new version (or carol approves ' +
        'it after all)',
    );
    expect(await list('environment=production')).toMatchObject([{ version: '1.1.0', state: 'rejected' }]);
    expect(await list('pending=true')).toEqual([]);

    const { rows } = await h.db.query<{ actor: string; outcome: string; after: { decision: string; reason?: string } }>(
      `select actor, outcome, after from audit_log where action = 'approval.decide' and status = 201 order by seq`,
    );
    expect(rows.filter((r) => r.after.decision === 'reject')).toMatchObject([
      { actor: expect.stringMatching(/^carol /), outcome: 'allowed', after: { reason: 'breaks invoices' } },
    ]);

    await decide('carol', { version: '1.1.0', decision: 'approve' });
    await deployed('dave', '1.1.0');
  }, 30_000);

  it('whoever first deployed a release cannot approve it; an approval by the one deploying does not ' +
    'count', async () => {
    await staged('1.2.0', 'bob');
    const self = await decide('bob', { version: '1.2.0', decision: 'approve' });
    expect(self.statusCode).toBe(403);
    expect(self.json().error.message).toBe(
      'bob first deployed api 1.2.0 and cannot approve it for production (selfApproval is off there); ask one of: ' +
        'alice, role:approver; or have an admin create a token for one: ' +
        'slipway tokens create --name production-approver --grant approver:production',
    );

    await decide('root', { version: '1.2.0', decision: 'approve' });
    await decide('alice', { version: '1.2.0', decision: 'approve' });
    const byRoot = await deploy('root', 'production', '1.2.0');
    expect(byRoot.statusCode).toBe(409);
    expect(byRoot.json().error.message).toBe(
      'production needs 2 approvals of api 1.2.0; has 1 (alice); waits for 1 more from: role:approver; not counted: ' +
        'root (root is deploying it)',
    );
    await deployed('dave', '1.2.0');
  }, 30_000);

  it('a release that failed in staging is not listed as waiting for approval: it could not go anyway', async () => {
    h.runtime.behaviour = (spec) => (spec.release === '9.0.0' ? 'failed' : 'healthy');
    const res = await deploy('dave', 'staging', '9.0.0');
    expect(res.statusCode).toBe(201);
    expect((await h.waitFinished(res.json().deployment.id)).state).toBe('failed');
    h.runtime.behaviour = () => 'healthy';
    const versions = (await list('')).map((a: { version: string }) => a.version);
    expect(versions).not.toContain('9.0.0');
    // One staged and not deployed yet is still listed, so the list itself is not what went empty.
    await staged('9.1.0');
    expect((await list('')).map((a: { version: string }) => a.version)).toContain('9.1.0');
  }, 30_000);
});
