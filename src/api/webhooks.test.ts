import { testApi } from '../../test/support/api-harness.js';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { validateConfigObject } from '../config/validate.js';
import { getDeployment, listDeployments } from '../store/repos/deployments.js';
import { listDeliveries } from '../store/repos/webhook-deliveries.js';
import { githubSignature } from '../triggers/signature.js';
import { ensureAdminToken, generateToken } from './auth.js';

/**
 * GitHub webhooks over the real API, engine and store (fake runtime), with real payloads from
 * @octokit/webhooks-examples, signed here exactly as GitHub signs them: `sha256=` + the hex
 * HMAC-SHA256 of the bytes sent.
 */
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const example = (name: string, pick: (p: Record<string, unknown>) => boolean = () => true) =>
  examples.find((e) => e.name === name)!.examples.find(pick)!;
/** The real push: Codertocat pushes 6113728 to master (the example repository's main branch), committed
 * 2019-05-15T15:19:25Z. */
const realPush = example('push', (p) => p.ref === 'refs/heads/master');
const realDeletedTag = example('push', (p) => p.deleted === true);
const realPing = example('ping');
const realIssues = example('issues');

const secret = 'a-webhook-secret-for-tests';
process.env.SLIPWAY_TEST_GITHUB_SECRET = secret;
const url = '/api/v1/webhooks/github';

const raw = {
  project: 'harbor',
  environments: {
    development: { listen: '127.0.0.1:18080' },
    staging: { listen: '127.0.0.1:18081' },
    production: { listen: '127.0.0.1:18082', requires: ['staging'] },
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
  triggers: {
    github: {
      secret: 'env:SLIPWAY_TEST_GITHUB_SECRET',
      rules: [
        { branch: 'master', environment: 'staging' },
        { branch: 'feature/*', environment: 'development' },
      ],
    },
  },
};
const config = validateConfigObject(raw, { baseDir: '/srv/harbor' });
const frozen = validateConfigObject(
  {
    ...raw,
    environments: {
      ...raw.environments,
      staging: {
        listen: '127.0.0.1:18081',
        freezes: [
          { from: '2020-01-01T00:00:00Z', until: '2999-01-01T00:00:00Z', message: 'test freeze: ask #releases' },
        ],
      },
    },
  },
  { baseDir: '/srv/harbor' },
);

/**
 * The real push, changed where a test needs another branch or commit (marked: these fields are
 * edited, the rest of the payload is GitHub's).
 */
function pushTo(ref: string, sha: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...realPush, ref, after: sha, head_commit: { ...(realPush.head_commit as object), id: sha }, ...extra };
}

interface Delivery {
  event: string;
  body: string | Buffer;
  delivery?: string;
  signature?: string | null;
  contentType?: string;
}

let h: Harness;
let app: FastifyInstance;
const token = generateToken();

function deliver(d: Delivery) {
  const headers: Record<string, string> = {
    'content-type': d.contentType ?? 'application/json',
    'x-github-event': d.event,
    'user-agent': 'GitHub-Hookshot/test',
  };
  headers['x-github-delivery'] = d.delivery ?? randomUUID();
  const signature = d.signature === undefined ? githubSignature(secret, d.body) : d.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return app.inject({ method: 'POST', url, headers, payload: d.body });
}

/** GitHub sends pretty-printed JSON; the signature covers those exact bytes. */
const bytes = (payload: unknown) => JSON.stringify(payload, null, 2);
const deploymentCount = async () => (await listDeployments(h.db, { project: 'harbor', limit: 1000 })).length;
const deliveryRow = async (id: string) =>
  (await listDeliveries(h.db, { deliveryId: id })).map((d) => ({
    outcome: d.outcome,
    status: d.status,
    reason: d.reason,
  }));

beforeAll(async () => {
  h = await engineHarness(config);
  h.runtime.behaviour = () => 'healthy';
  await ensureAdminToken(h.db, token);
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('POST /api/v1/webhooks/github', () => {
  it('ping: 200, recorded', async () => {
    const id = randomUUID();
    const res = await deliver({ event: 'ping', body: bytes(realPing), delivery: id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      delivery: id,
      outcome: 'ping',
      message: 'pong: harbor listens to this webhook',
    });
    expect(await deliveryRow(id)).toEqual([
      { outcome: 'ping', status: 200, reason: 'pong: harbor listens to this webhook' },
    ]);
  });

  it(
    'a push to the main branch deploys every service to staging at the short sha, requested by the ' + 'pusher',
    async () => {
      const id = randomUUID();
      const res = await deliver({ event: 'push', body: bytes(realPush), delivery: id });
      expect(res.statusCode).toBe(202);
      const body = res.json();
      expect(body).toMatchObject({
        delivery: id,
        outcome: 'triggered',
        message: '1 deployment started for 6113728 on master',
      });
      expect(body.results).toEqual([
        {
          project: 'harbor',
          service: 'api',
          environment: 'staging',
          version: '6113728',
          deployment: expect.stringMatching(/^dep_/),
          state: 'running',
        },
      ]);
      const d = await h.waitFinished(body.results[0].deployment);
      expect({ state: d.state, environment: d.environment, requestedBy: d.requestedBy }).toEqual({
        state: 'succeeded',
        environment: 'staging',
        requestedBy: 'github:Codertocat',
      });
      const [row] = await listDeliveries(h.db, { deliveryId: id });
      expect(row).toMatchObject({
        outcome: 'triggered',
        status: 202,
        event: 'push',
        repository: 'Codertocat/Hello-World',
        branch: 'master',
        commitSha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        committedAt: new Date('2019-05-15T15:19:25Z'),
        pusher: 'Codertocat',
      });
      expect(row!.results[0]!.deployment).toBe(d.id);
    },
  );

  it('a push to a feature branch deploys to development', async () => {
    const sha = 'f'.repeat(8) + '0'.repeat(32);
    const res = await deliver({ event: 'push', body: bytes(pushTo('refs/heads/feature/login', sha)) });
    expect(res.statusCode).toBe(202);
    const [result] = res.json().results;
    expect(result).toMatchObject({ service: 'api', environment: 'development', version: 'ffffffff'.slice(0, 7) });
    expect((await h.waitFinished(result.deployment)).state).toBe('succeeded');
  });

  it(
    'a bad signature: 401, nothing triggered, recorded (and audited as denied); it does not block the genuine ' +
      'delivery',
    async () => {
      const id = randomUUID();
      const body = bytes(pushTo('refs/heads/master', 'b'.repeat(40)));
      const before = await deploymentCount();
      const wrongSecret = await deliver({
        event: 'push',
        body,
        delivery: id,
        signature: githubSignature('not-the-secret', body),
      });
      expect(wrongSecret.statusCode).toBe(401);
      expect(wrongSecret.json().error).toEqual({
        code: 'unauthorized',
        message: expect.stringMatching(/^X-Hub-Signature-256 does not match/),
      });
      expect(wrongSecret.body).not.toContain(secret);
      // Same JSON, other bytes (re-serialised compactly): the signature is over the raw body, so it fails.
      const reserialised = await deliver({
        event: 'push',
        body: JSON.stringify(JSON.parse(body)),
        delivery: id,
        signature: githubSignature(secret, body),
      });
      expect(reserialised.statusCode).toBe(401);
      expect(await deploymentCount()).toBe(before);
      expect((await deliveryRow(id)).map((r) => [r.outcome, r.status])).toEqual([
        ['unauthorized', 401],
        ['unauthorized', 401],
      ]);
      const { rows } = await h.db.query<{ outcome: string; status: number; actor: string }>(
        `select outcome, status, actor from audit_log where action = 'webhook.github' and status = 401`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows[0]).toMatchObject({ outcome: 'denied', actor: 'anonymous' });

      const genuine = await deliver({ event: 'push', body, delivery: id });
      expect(genuine.statusCode).toBe(202);
      expect(genuine.json().outcome).toBe('triggered');
      await h.waitFinished(genuine.json().results[0].deployment);
    },
  );

  it('a missing signature: 401 saying what to set', async () => {
    const id = randomUUID();
    const res = await deliver({ event: 'push', body: bytes(realPush), delivery: id, signature: null });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/^missing X-Hub-Signature-256/);
    expect(await deliveryRow(id)).toEqual([
      { outcome: 'unauthorized', status: 401, reason: expect.stringMatching(/^missing X-Hub-Signature-256/) },
    ]);
  });

  it('a replayed delivery id: 200 "already processed", no second deployment, recorded', async () => {
    const id = randomUUID();
    const body = bytes(pushTo('refs/heads/master', 'c'.repeat(40)));
    const first = await deliver({ event: 'push', body, delivery: id });
    expect(first.json().outcome).toBe('triggered');
    await h.waitFinished(first.json().results[0].deployment);
    const before = await deploymentCount();
    const replay = await deliver({ event: 'push', body, delivery: id });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({
      outcome: 'replayed',
      message: expect.stringMatching(
        new RegExp(`^delivery ${id} was already processed at .* \\(triggered\\): ignored$`),
      ),
    });
    expect(await deploymentCount()).toBe(before);
    expect((await deliveryRow(id)).map((r) => r.outcome).sort()).toEqual(['replayed', 'triggered']);
  });

  it("a malformed payload: 400 with the parser's reason; a push missing fields: 400 naming them", async () => {
    const broken = '{"ref": "refs/heads/master", ';
    let reason = '';
    try {
      JSON.parse(broken);
    } catch (e) {
      reason = (e as Error).message;
    }
    const id = randomUUID();
    const res = await deliver({ event: 'push', body: broken, delivery: id });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(`malformed JSON payload: ${reason}`);
    expect(await deliveryRow(id)).toEqual([
      { outcome: 'malformed', status: 400, reason: `malformed JSON payload: ${reason}` },
    ]);

    const missing = await deliver({
      event: 'push',
      body: bytes({ ...realPush, ref: undefined, head_commit: { id: 'nope' } }),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(
      /^not a GitHub push payload: ref: .*; head_commit\.id: expected a 40-character commit sha/,
    );
  });

  it(
    'signed text the store cannot keep: a NUL in a push field is a 400 naming it; a NUL in broken JSON is ' +
      'recorded escaped',
    async () => {
      const before = await deploymentCount();
      const cases = [
        { path: 'pusher.name', body: pushTo('refs/heads/master', 'e'.repeat(40), { pusher: { name: 'a\u0000b' } }) },
        { path: 'ref', body: pushTo('refs/heads/mas\u0000ter', 'e'.repeat(40)) },
        {
          path: 'repository.full_name',
          body: pushTo('refs/heads/master', 'e'.repeat(40), { repository: { full_name: 'x\ud800' } }),
        },
      ];
      for (const c of cases) {
        const id = randomUUID();
        const res = await deliver({ event: 'push', body: bytes(c.body), delivery: id });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.message).toMatch(
          new RegExp(`^not a GitHub push payload Slipway can keep: ${c.path.replace('.', '\\.')} contains `),
        );
        expect(await deliveryRow(id)).toEqual([
          { outcome: 'malformed', status: 400, reason: res.json().error.message },
        ]);
      }
      expect(await deploymentCount()).toBe(before);

      // JSON.parse quotes the bytes it refused: the reason is kept with the NUL escaped.
      const id = randomUUID();
      const res = await deliver({ event: 'push', body: Buffer.from('x\u0000y'), delivery: id });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toContain('x\u0000y');
      expect((await deliveryRow(id))[0]?.reason).toContain('"x\\u0000y" is not valid JSON');
    },
  );

  it('a form-encoded delivery: 415 asking for application/json', async () => {
    const res = await deliver({
      event: 'push',
      body: `payload=${encodeURIComponent(JSON.stringify(realPush))}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toMatch(/set the GitHub webhook's content type to application\/json/);
  });

  it('other events, tags and deleted branches: 202 ignored, recorded', async () => {
    const before = await deploymentCount();
    const issues = await deliver({ event: 'issues', body: bytes(realIssues) });
    expect(issues.statusCode).toBe(202);
    expect(issues.json()).toMatchObject({
      outcome: 'ignored',
      message: 'event "issues" does not trigger deployments (only push does)',
    });
    const deleted = await deliver({ event: 'push', body: bytes(realDeletedTag) });
    expect(deleted.json()).toMatchObject({
      outcome: 'ignored',
      results: [{ project: 'harbor', ignored: 'refs/tags/simple-tag was deleted' }],
    });
    const deletedBranch = await deliver({
      event: 'push',
      body: bytes({ ...realDeletedTag, ref: 'refs/heads/feature/gone' }),
    });
    expect(deletedBranch.json().results).toEqual([
      { project: 'harbor', ignored: 'refs/heads/feature/gone was deleted' },
    ]);
    const unmatched = await deliver({ event: 'push', body: bytes(pushTo('refs/heads/fix/typo', 'd'.repeat(40))) });
    expect(unmatched.json().message).toBe(
      'nothing deployed: harbor: no rule of triggers.github matches branch "fix/typo" (rules: master, feature/*)',
    );
    expect(await deploymentCount()).toBe(before);
    expect((await listDeliveries(h.db, { limit: 4 })).map((d) => [d.event, d.outcome, d.status])).toEqual([
      ['push', 'ignored', 202],
      ['push', 'ignored', 202],
      ['push', 'ignored', 202],
      ['issues', 'ignored', 202],
    ]);
  });

  it('a push during a freeze: 202 with the refusal recorded, nothing deployed', async () => {
    await h.engine.applyProject(frozen);
    try {
      const id = randomUUID();
      const before = await deploymentCount();
      const res = await deliver({
        event: 'push',
        body: bytes(pushTo('refs/heads/master', 'e'.repeat(40))),
        delivery: id,
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({
        outcome: 'refused',
        results: [
          {
            service: 'api',
            environment: 'staging',
            version: 'eeeeeee',
            refused: expect.stringContaining('test freeze: ask #releases'),
          },
        ],
      });
      expect(await deploymentCount()).toBe(before);
      const [row] = await listDeliveries(h.db, { deliveryId: id });
      expect(row).toMatchObject({ outcome: 'refused', status: 202 });
      expect(row!.results[0]!.refused).toContain('test freeze: ask #releases');
    } finally {
      await h.engine.applyProject(config);
    }
  });
});

describe('GET /api/v1/projects/:project/lead-times', () => {
  it('commit time → deployment succeeded, per deployment, newest first, with the median', async () => {
    const res = await app.inject({
      url: '/api/v1/projects/harbor/lead-times?environment=staging',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    const { leadTimes, median } = res.json();
    // The main-branch pushes that deployed: the real one (6113728), the genuine one after the forgery (bbbbbbb), the
    // replayed one (ccccccc).
    expect(leadTimes.map((l: { version: string }) => l.version)).toEqual(['ccccccc', 'bbbbbbb', '6113728']);
    for (const l of leadTimes) {
      const d = await getDeployment(h.db, l.deployment);
      expect(l.finishedAt).toBe(d!.finishedAt!.toISOString());
      expect(l.committedAt).toBe('2019-05-15T15:19:25.000Z');
      expect(l.leadTimeMs).toBe(d!.finishedAt!.getTime() - Date.parse('2019-05-15T15:19:25Z'));
    }
    expect(leadTimes[2].sha).toBe('6113728f27ae82c7b1a177c8d03f9e96e0adf246');
    expect(median).toEqual({ deployments: 3, leadTimeMs: leadTimes[1].leadTimeMs });
    const development = await app.inject({
      url: '/api/v1/projects/harbor/lead-times?environment=development&limit=5',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(development.json().leadTimes.map((l: { environment: string }) => l.environment)).toEqual(['development']);
  });

  it('an unknown project: 404', async () => {
    const res = await app.inject({
      url: '/api/v1/projects/nope/lead-times',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(404);
  });
});
