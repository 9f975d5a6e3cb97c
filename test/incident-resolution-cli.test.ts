import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken, generateToken } from '../src/api/auth.js';
import type { IncidentView, TimelineEntryView } from '../src/cli/render-incidents.js';
import { runSlipway } from './support/cli.js';
import { engineHarness, type Harness } from './support/engine-harness.js';
import { testApi } from './support/api-harness.js';

/**
 * `slipway incident resolve` without --resolution: the CLI says the resolution is missing, and it can be added later
 * (once, audited, as a note on the timeline) instead of the incident being closed to it for good.
 */
let h: Harness;
let app: FastifyInstance;
let env: Record<string, string>;
let cwd: string;
const token = generateToken();
const slipway = (...args: string[]) => runSlipway(['--project', 'harbor', ...args], { cwd, env });

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, token);
  app = await testApi(h);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  env = { SLIPWAY_URL: address, SLIPWAY_TOKEN: token };
  cwd = mkdtempSync(path.join(tmpdir(), 'slipway-incident-resolution-'));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('slipway incident resolve', () => {
  it('hints when resolving without a resolution, and takes the resolution later once', async () => {
    const opened = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/incidents',
      headers: { authorization: `Bearer ${token}` },
      payload: { environment: 'staging', title: 'quotes time out' },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const id = (opened.json() as { incident: IncidentView }).incident.id;

    const bare = await slipway('incident', 'resolve', id);
    expect(bare.code).toBe(0);
    expect(bare.stderr).toContain(
      `hint: no resolution recorded; add what fixed it with: slipway incident resolve ${id}`,
    );

    const later = await slipway('incident', 'resolve', id, '--resolution', 'FAIL_RATE unset', '--json');
    expect([later.code, later.stderr]).toEqual([0, '']);
    const after = JSON.parse(later.stdout).incident as IncidentView;
    expect(after).toMatchObject({ state: 'resolved', resolvedBy: 'admin', resolution: 'FAIL_RATE unset' });

    // It is not replaced once given.
    const again = await slipway('incident', 'resolve', id, '--resolution', 'something else');
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(new RegExp(`incident ${id} is already resolved \\(by admin at `));

    const shown = JSON.parse((await slipway('incident', 'show', id, '--json')).stdout) as {
      timeline: TimelineEntryView[];
    };
    const people = shown.timeline.filter((e) => e.category === 'note' || e.category === 'incident');
    expect(people.map((e) => [e.kind, e.text])).toEqual([
      ['incident.opened', expect.any(String)],
      ['incident.resolved', `incident ${id} resolved by admin`],
      ['incident.noted', 'resolution added by admin: FAIL_RATE unset'],
    ]);
    const audit = (await slipway('audit', 'export')).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; after?: { resolution?: string | null } })
      .filter((e) => e.action === 'incident.resolve');
    // Access was allowed all three times; the refused one (a conflict) changed nothing, so it has no after.
    expect(audit.map((e) => e.after?.resolution)).toEqual([null, 'FAIL_RATE unset', undefined]);
  }, 60_000);
});
