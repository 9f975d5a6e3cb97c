import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../src/cli/follow.js';
import type { IncidentView, TimelineEntryView } from '../src/cli/render-incidents.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * Incidents end to end: a real coordinator, proxy and instances; a canary that fails 30 % of its
 * requests is rolled back by the judge, and an incident appears by itself with its timeline. Then
 * the CLI works it, and refuses what it must with the right exit codes.
 */
const strategy =
  '{ type: canary, steps: [{ setWeight: 20 }, { analyze: { for: 8s } }], analysis: { interval: 500ms } }';

let system: System;
let load: LoadGenerator | undefined;
let failed: DeploymentView;
let incident: IncidentView;

beforeAll(async () => {
  system = await System.start({ instances: 2, drainTimeout: '2s', strategy });
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
  load = new LoadGenerator({
    url: system.stagingUrl,
    rate: 100,
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
  });
  load.start();
  await new Promise((r) => setTimeout(r, 2000)); // a baseline for the stable release
}, 120_000);
afterAll(async () => {
  await load?.stop();
  await system?.close();
}, 120_000);

const slipway = (args: string[], token?: string) => system.cli(args, token);

describe('incidents through a real coordinator', () => {
  it('a faulty canary is rolled back by the judge and an incident opens by itself, with its timeline', async () => {
    failed = await system.deployed('1.2.0', { set: { FAIL_RATE: '0.3' } });
    expect(failed.state).toBe('rolled_back');
    // Waited for through the API (a CLI process per poll cost CPU); the CLI reads it below.
    await until(
      'the incident to open',
      async () => {
        const { incidents } = await system.client.call<{ incidents: IncidentView[] }>(
          'GET',
          `/api/v1/projects/${system.project}/incidents`,
        );
        return incidents.length > 0;
      },
      20_000,
    );
    const { incidents } = JSON.parse((await slipway(['incidents', '--json'])).stdout) as { incidents: IncidentView[] };
    expect(incidents).toHaveLength(1);
    incident = incidents[0]!;
    expect(incident).toMatchObject({
      environment: 'staging',
      service: 'quote-api',
      severity: 'sev3',
      state: 'triggered',
      source: 'rollback',
    });
    expect(incident.title).toMatch(/^quote-api 1\.2\.0 was rolled back automatically in staging: canary analysis/);
    expect(incident.links).toContainEqual({
      kind: 'deployment',
      ref: failed.id,
      service: 'quote-api',
      fromVersion: '1.0.0',
      version: '1.2.0',
    });
    expect(incident.links).toContainEqual(
      expect.objectContaining({ kind: 'release', service: 'quote-api', version: '1.2.0', fromVersion: null }),
    );

    const shown = JSON.parse((await slipway(['incident', 'show', incident.id, '--json'])).stdout) as {
      timeline: TimelineEntryView[];
    };
    const kinds = shown.timeline.map((e) => e.kind);
    for (const k of ['deployment.started', 'traffic.shifted', 'verdict.fail', 'deployment.rolling_back'])
      expect(kinds).toContain(k);
    expect(kinds).toContain('incident.opened');
    expect(kinds.indexOf('traffic.shifted')).toBeLessThan(kinds.indexOf('deployment.rolling_back'));
    const verdict = shown.timeline.find((e) => e.kind === 'verdict.fail')!;
    expect(verdict.text).toMatch(/^verdict fail \(score \d+\): /);
    expect(verdict.figures.length).toBeGreaterThan(0);
    const rollback = shown.timeline.find((e) => e.kind === 'deployment.rolling_back')!;
    expect(rollback.by).toBe('canary judge');

    const human = await slipway(['incident', 'show', incident.id]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Timeline');
    expect(human.stdout).toContain(`links:    deployment of quote-api 1.0.0 → 1.2.0 (${failed.id})`);
    expect(human.stdout).toMatch(/^ {12}release quote-api 1\.2\.0$/m);
    expect(human.stdout).toMatch(/rollback\s+rolling back: canary analysis failed/);
  }, 120_000);

  it('note, acknowledge, resolve; a second resolve or acknowledge is refused with exit 5', async () => {
    const note = await slipway(['incident', 'note', incident.id, 'FAIL_RATE was left on in the release config']);
    expect(note.code).toBe(0);
    const ack = await slipway(['incident', 'ack', incident.id, '--owner', 'dana']);
    expect(ack.code).toBe(0);
    expect(ack.stdout).toMatch(new RegExp(`${incident.id} acknowledged \\(owner dana\\); acknowledged after`));
    expect((await slipway(['incident', 'ack', incident.id])).code).toBe(5);
    const resolved = await slipway(['incident', 'resolve', incident.id, '--resolution', 'rolled back', '--json']);
    expect(resolved.code).toBe(0);
    const after = JSON.parse(resolved.stdout).incident as IncidentView;
    expect(after.state).toBe('resolved');
    expect(after.timeToResolveMs).toBeGreaterThanOrEqual(after.timeToAcknowledgeMs!);
    const again = await slipway(['incident', 'resolve', incident.id]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(new RegExp(`incident ${incident.id} is already resolved \\(by admin at `));

    const shown = JSON.parse((await slipway(['incident', 'show', incident.id, '--json'])).stdout) as {
      timeline: TimelineEntryView[];
    };
    const people = shown.timeline.filter((e) => e.category === 'note' || e.category === 'incident');
    expect(people.map((e) => e.kind)).toEqual([
      'incident.opened',
      'incident.noted',
      'incident.acknowledged',
      'incident.resolved',
    ]);
    const audit = await slipway(['audit', 'export', '--since', '2000-01-01']);
    expect(audit.stdout).toContain('"action":"incident.acknowledge"');
    expect(audit.stdout).toContain('"action":"incident.open"');
  }, 60_000);

  it('refusals: an incident you may not see (exit 4), a missing one (exit 3), bad input (exit 2)', async () => {
    const opened = await slipway([
      'incident',
      'open',
      '--env',
      'production',
      '--severity',
      'sev2',
      '--json',
      'quotes time out for bulk carriers',
    ]);
    expect(opened.code).toBe(0);
    const prod = JSON.parse(opened.stdout).incident as IncidentView;
    expect(prod).toMatchObject({ severity: 'sev2', source: 'manual', state: 'triggered', owner: 'admin' });

    const token = (await slipway(['tokens', 'create', '--name', 'dev', '--grant', 'deployer:staging'])).stdout.trim();
    const denied = await slipway(['incident', 'ack', prod.id], token);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/deployer on production required; token "dev" has deployer on staging/);
    expect((await slipway(['incident', 'show', prod.id], token)).code).toBe(4);
    // The list shows it only what it may see.
    const listed = JSON.parse((await slipway(['incidents', '--json'], token)).stdout).incidents as IncidentView[];
    expect(listed.map((i) => i.environment)).toEqual(['staging']);

    const missing = await slipway(['incident', 'ack', 'inc_missing']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no incident inc_missing/);
    const badSeverity = await slipway(['incident', 'open', '--env', 'staging', '--severity', 'sev9', 'x y z']);
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr).toMatch(/--severity sev9 is not a severity: use one of sev1, sev2, sev3, sev4/);
    const nowhere = await slipway(['incident', 'open', '--env', 'nowhere', 'something broke']);
    expect(nowhere.code).toBe(3);
    expect(nowhere.stderr).toMatch(/environment "nowhere" is not in project harbor-quote \(staging, production\)/);
  }, 60_000);

  it('the postmortem draft: summary, impact window, the change, the verdict figures, the timeline', async () => {
    const file = path.join(system.workspace.dir, 'postmortem.md');
    const r = await slipway(['incident', 'postmortem', incident.id, '-o', file]);
    expect(r.code).toBe(0);
    const md = readFileSync(file, 'utf8');
    expect(md).toMatch(/^# Postmortem: quote-api 1\.2\.0 was rolled back automatically in staging/);
    for (const heading of [
      '## Summary',
      '## Impact window',
      '## Trigger',
      '## Figures',
      '## Timeline',
      '## Action items',
    ])
      expect(md).toContain(heading);
    expect(md).toContain(`Deployment \`${failed.id}\`: quote-api 1.0.0 → 1.2.0 in staging.`);
    expect(md).toMatch(/Commits: not listed \(no commit is recorded for 1\.0\.0/);
    expect(md).toMatch(/- Verdict \*\*fail\*\* at \S+ \(score \d+\): /);
    expect(md).toMatch(/\d{4}-\d\d-\d\dT\S+ → \d{4}-\d\d-\d\dT\S+ \(/); // the window closed when stable again
    expect(md).toContain('resolved');
  }, 60_000);

  it('runbook: written from slipway.yaml; --check passes, then fails once the config changes', async () => {
    const written = await slipway(['runbook']);
    expect(written.code).toBe(0);
    const file = path.join(path.dirname(system.workspace.configPath), 'RUNBOOK.md');
    expect(readFileSync(file, 'utf8')).toContain('slipway rollback quote-api --env production');
    expect((await slipway(['runbook', '--check'])).code).toBe(0);
    const yaml = readFileSync(system.workspace.configPath, 'utf8');
    writeFileSync(system.workspace.configPath, yaml.replace('interval: 500ms', 'interval: 700ms'));
    const stale = await slipway(['runbook', '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/RUNBOOK\.md no longer matches slipway\.yaml \(line \d+\)/);
    expect(stale.stderr).toContain('looks every 700ms');
    writeFileSync(system.workspace.configPath, yaml);
  }, 60_000);
});
