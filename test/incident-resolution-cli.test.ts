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

    // Resolved again without one: refused, saying the resolution can still be added.
    const bareAgain = await slipway('incident', 'resolve', id);
    expect(bareAgain.code).toBe(5);
    expect(bareAgain.stderr).toContain(
      `open a new one if the problem is back. It has no resolution yet: add what fixed it with slipway incident ` +
        `resolve ${id} --resolution "…"`,
    );

    // Adding it says so, rather than the first resolve's line again.
    const later = await slipway('incident', 'resolve', id, '--resolution', 'FAIL_RATE unset');
    expect([later.code, later.stderr]).toEqual([0, '']);
    expect(later.stdout).toMatch(
      new RegExp(`^${id} resolution added: FAIL_RATE unset \\(resolved by admin at \\d{4}-\\S+Z\\)\n$`),
    );
    const after = JSON.parse((await slipway('incident', 'show', id, '--json')).stdout).incident as IncidentView;
    expect(after).toMatchObject({ state: 'resolved', resolvedBy: 'admin', resolution: 'FAIL_RATE unset' });

    // It is not replaced once given, and the refusal no longer offers to add one.
    const again = await slipway('incident', 'resolve', id, '--resolution', 'something else');
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(new RegExp(`incident ${id} is already resolved \\(by admin at `));
    expect(again.stderr).not.toContain('--resolution');

    const shown = JSON.parse((await slipway('incident', 'show', id, '--json')).stdout) as {
      timeline: TimelineEntryView[];
    };
    const people = shown.timeline.filter((e) => e.category === 'note' || e.category === 'incident');
    expect(people.map((e) => [e.kind, e.text])).toEqual([
      ['incident.opened', expect.any(String)],
      ['incident.resolved', `incident ${id} resolved by admin`],
      ['incident.noted', 'resolution added: FAIL_RATE unset'],
    ]);
    // Who added it is named once, by the entry.
    const human = (await slipway('incident', 'show', id)).stdout;
    expect(human).toMatch(/note {9}resolution added: FAIL_RATE unset — admin\n/);

    const audit = (await slipway('audit', 'export')).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; after?: { resolution?: string | null } })
      .filter((e) => e.action === 'incident.resolve');
    // Access was allowed every time; the refused ones (conflicts) changed nothing, so they have no after.
    expect(audit.map((e) => e.after?.resolution)).toEqual([null, undefined, 'FAIL_RATE unset', undefined]);
  }, 60_000);

  it('the API says whether a resolve only added the resolution', async () => {
    const post = (url: string, payload: object) =>
      app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
    const opened = await post('/api/v1/projects/harbor/incidents', { environment: 'staging', title: 'slow quotes' });
    const id = (opened.json() as { incident: IncidentView }).incident.id;
    const first = await post(`/api/v1/incidents/${id}/resolve`, {});
    expect(first.json()).toMatchObject({ incident: { state: 'resolved' }, resolutionAdded: false });
    const added = await post(`/api/v1/incidents/${id}/resolve`, { resolution: 'cache warmed' });
    expect(added.json()).toMatchObject({ incident: { resolution: 'cache warmed' }, resolutionAdded: true });
  });
});
