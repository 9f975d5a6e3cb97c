import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/processes.js';
import { type SentryApiStandIn, startSentryApiStandIn } from './support/sentry-api-stand-in.js';
import { System } from './support/system.js';

/**
 * A real coordinator with `errors.forward.releases` pointing at a local stand-in for Sentry's release API (no Sentry
 * can run here; the stand-in checks the documented request format): a deployment of harbor-quote to staging creates
 * the release and then its deploy, with the token from Slipway's secrets, which no log line or event holds.
 */
const token = 'sntrys_integration-0123456789abcdef0123456789abcdef';
let system: System;
let sentry: SentryApiStandIn;

beforeAll(async () => {
  sentry = await startSentryApiStandIn({ organization: 'acme', projects: ['harbor-quote'], token });
  system = await System.start({
    store: 'embedded',
    instances: 1,
    extraTopLevel: [
      'errors:',
      '  forward:',
      `    releases: { url: "${sentry.url}", organization: acme, projects: [harbor-quote], ` +
        'token: secret:SENTRY_AUTH_TOKEN }',
    ].join('\n'),
  });
  await system.client.call('PUT', `/api/v1/projects/${system.project}/environments/staging/secrets/SENTRY_AUTH_TOKEN`, {
    value: token,
  });
}, 120_000);

afterAll(async () => {
  await system?.close();
  await sentry?.close();
}, 120_000);

describe("a coordinator creates releases and deploys in the team's Sentry", () => {
  it('deploying to staging: the release, then the deploy, as documented; the token in no log or event', async () => {
    const d = await system.deployed('1.4.0');
    expect(d.state).toBe('succeeded');
    await until('the deploy in Sentry', () => (sentry.deploys.length === 1 ? true : undefined), 30_000);
    expect(sentry.rejected).toEqual([]);
    expect([...sentry.releases.values()]).toEqual([{ version: '1.4.0', projects: ['harbor-quote'] }]);
    expect(sentry.deploys[0]).toMatchObject({ version: '1.4.0', environment: 'staging', name: `slipway ${d.id}` });
    expect(sentry.requests.map((r) => r.path)).toEqual([
      '/api/0/organizations/acme/releases/',
      '/api/0/organizations/acme/releases/1.4.0/deploys/',
    ]);

    const { events } = await until('the outcome events', async () => {
      const r = await system.client.call<{ events: { kind: string; message: string }[] }>(
        'GET',
        `/api/v1/deployments/${d.id}/events`,
      );
      return r.events.filter((e) => e.kind === 'sentry.upstream.sent').length === 2 ? r : undefined;
    });
    expect(JSON.stringify(events)).not.toContain(token);
    const logs = path.join(system.workspace.dir, '.slipway', 'logs');
    const coordinatorLog = readdirSync(logs, { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(logs, f))
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(coordinatorLog).toContain('release 1.4.0 created in Sentry');
    expect(coordinatorLog).not.toContain(token);
  });
});
