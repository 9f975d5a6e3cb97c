import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../model/incident.js';
import type { VerdictRecord } from '../store/repos/verdicts.js';
import { commitsBetween } from './change.js';
import { impactWindow, renderPostmortem, type PostmortemInput } from './postmortem.js';
import type { TimelineEntry } from './timeline.js';

const at = (s: number) => new Date(Date.parse('2026-12-04T02:00:00Z') + s * 1000);

const incident: Incident = {
  id: 'inc_1',
  project: 'harbor',
  environment: 'production',
  service: 'quote-api',
  title: 'quote-api 1.2.0 was rolled back automatically in production: canary analysis failed',
  severity: 'sev3',
  state: 'resolved',
  source: 'rollback',
  openedBy: 'slipway (incident follower)',
  openedAt: at(31),
  acknowledgedAt: at(151),
  acknowledgedBy: 'dana',
  owner: 'dana',
  resolvedAt: at(631),
  resolvedBy: 'dana',
  resolution: 'config fixed in 1.2.1',
  links: [{ kind: 'deployment', ref: 'dep_1' }],
};
const verdict: VerdictRecord = {
  id: 1,
  deploymentId: 'dep_1',
  step: 1,
  final: false,
  at: at(30).getTime(),
  outcome: 'fail',
  score: 50,
  reason: 'error-rate.absolute: candidate 30 % of 60 requests > 1 %',
  metrics: [
    {
      metric: 'error-rate',
      source: 'proxy',
      rule: 'error-rate.absolute',
      classification: 'high',
      candidate: 30,
      stable: 0,
      unit: '%',
      threshold: '> 1 %',
      conclusive: true,
      weight: 1,
      message: 'm',
    },
  ],
};
const timeline: TimelineEntry[] = [
  { at: at(0), category: 'deployment', kind: 'deployment.started', text: 'deploying', deploymentId: 'dep_1' },
  { at: at(30), category: 'rollback', kind: 'deployment.rolling_back', text: 'rolling back', by: 'canary judge' },
  { at: at(31), category: 'incident', kind: 'incident.opened', text: 'incident inc_1 opened' },
  { at: at(45), category: 'deployment', kind: 'deployment.finished', text: 'rolled back', deploymentId: 'dep_1' },
  { at: at(200), category: 'note', kind: 'incident.noted', text: 'FAIL_RATE left on', by: 'dana' },
];
const input: PostmortemInput = {
  incident,
  timeline,
  verdicts: [verdict],
  timeToAcknowledgeMs: 120_000,
  timeToResolveMs: 600_000,
  now: at(700),
  change: {
    deploymentId: 'dep_1',
    service: 'quote-api',
    environment: 'production',
    fromVersion: '1.1.0',
    toVersion: '1.2.0',
    trafficShiftedAt: at(10),
    commits: [{ sha: 'a'.repeat(40), author: 'Tomás', subject: 'feat: pricing model v2' }],
  },
};

describe('the postmortem draft', () => {
  it('the impact window runs from the first traffic to the candidate until the rollback finished', () => {
    expect(impactWindow(input)).toEqual({ start: at(10), end: at(45) });
    // Without a change, nor a rollback: from the opening to the resolution.
    expect(impactWindow({ ...input, change: undefined, timeline: [] })).toEqual({ start: at(31), end: at(631) });
  });

  it('has the summary, the window, the change and its commits, the figures, the timeline and empty actions', () => {
    const md = renderPostmortem(input);
    expect(md).toContain('# Postmortem: quote-api 1.2.0 was rolled back automatically in production');
    expect(md).toContain('- Incident: `inc_1`, sev3, resolved 2026-12-04T02:10:31Z by dana (config fixed in 1.2.1)');
    expect(md).toContain(
      '- Opened 2026-12-04T02:00:31Z by slipway (incident follower) after an automatic rollback; acknowledged after ' +
        '2m00s, resolved after 10m00s',
    );
    expect(md).toContain('2026-12-04T02:00:10Z → 2026-12-04T02:00:45Z (35.0s).');
    expect(md).toContain('Deployment `dep_1`: quote-api 1.1.0 → 1.2.0 in production.');
    expect(md).toContain('- `aaaaaaaaaaaa` feat: pricing model v2 (Tomás)');
    expect(md).toContain('- Verdict **fail** at 2026-12-04T02:00:30Z (score 50): error-rate.absolute');
    expect(md).toContain('  - error-rate.absolute [high]: candidate 30 % vs stable 0 %; threshold > 1 %');
    expect(md).toContain('- 2026-12-04T02:03:20Z — **note** FAIL_RATE left on (dana)');
    expect(md).toContain('Deployment `dep_1` (1.2.0), which triggered the incident:');
    expect(md.endsWith('## Action items\n\n| Action | Owner | Due |\n| --- | --- | --- |\n|  |  |  |\n')).toBe(true);
  });

  it("names each deployment's figures, the trigger's first; a candidate that never served has no impact window", () => {
    // 3.0.0 failed its health check (no traffic, no verdict); the fix 1.1.0 joined the incident with a verdict.
    const fix: VerdictRecord = {
      ...verdict,
      id: 2,
      deploymentId: 'dep_2',
      outcome: 'inconclusive',
      at: at(300).getTime(),
    };
    const md = renderPostmortem({
      ...input,
      incident: { ...incident, source: 'rollback', links: [...incident.links, { kind: 'deployment', ref: 'dep_2' }] },
      verdicts: [fix],
      versions: { dep_2: '1.1.0' },
      change: { ...input.change!, toVersion: '3.0.0', trafficShiftedAt: undefined },
    });
    const figures = md.slice(md.indexOf('## Figures'), md.indexOf('## Timeline'));
    expect(figures).toBe(
      [
        '## Figures',
        '',
        'Deployment `dep_1` (3.0.0), which triggered the incident: no verdict: it never served traffic.',
        '',
        'Deployment `dep_2` (1.1.0), linked to the incident later:',
        '',
        '- Verdict **inconclusive** at 2026-12-04T02:05:00Z (score 50): error-rate.absolute: candidate 30 % of 60 ' +
          'requests > 1 %',
        '  - error-rate.absolute [high]: candidate 30 % vs stable 0 %; threshold > 1 %',
        '',
        '',
      ].join('\n'),
    );
    expect(md).toContain(
      '## Impact window\n\nNone recorded: the candidate (quote-api 3.0.0, deployment `dep_1`) never served traffic, ' +
        'and no alert fired.\n',
    );
  });
});

describe('user text in the postmortem', () => {
  it('keeps a note of several lines whole, quoted under its entry, and none of it becomes Markdown', () => {
    const evil = '[click me](javascript:alert(1)) <img src=x onerror=alert(1)>';
    const md = renderPostmortem({
      ...input,
      incident: { ...incident, title: evil, resolution: `fixed *it* ${evil}` },
      timeline: [
        ...timeline,
        {
          at: at(300),
          category: 'note',
          kind: 'incident.noted',
          text: 'line1\n## Action items\n| fake | row |\n\n\tstep 2',
          by: 'dana',
        },
      ],
    });
    expect(md).toContain(
      [
        '- 2026-12-04T02:05:00Z — **note** line1 (dana)',
        '  > \\## Action items\\',
        '  > \\| fake \\| row \\|',
        '  >',
        '  > step 2',
      ].join('\n'),
    );
    const escaped = '[click me\\](javascript:alert(1)) \\<img src=x onerror=alert(1)>';
    expect(md).toContain(`# Postmortem: ${escaped}\n`);
    expect(md).toContain(`(fixed \\*it\\* ${escaped})`);
    // The document's own headings, once each; no raw link or tag left.
    expect(md.match(/^#+ .*$/gm)).toEqual([
      `# Postmortem: ${escaped}`,
      '## Summary',
      '## Impact window',
      '## Trigger',
      '## Figures',
      '## Timeline',
      '## Action items',
    ]);
    expect(md).not.toMatch(/[^\\]\]\(|[^\\]<img/);
  });
});

describe('commits between two releases', () => {
  it('lists the commits of a real git repository between the two recorded commits, newest first', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-git-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', dir, '-c', 'user.name=Tomás', '-c', 'user.email=t@example.test', ...args], {
          encoding: 'utf8',
        }).trim();
      git('init', '-q');
      const shas: string[] = [];
      for (const subject of ['feat: quotes', 'fix: rounding', 'feat: pricing model v2']) {
        writeFileSync(path.join(dir, 'file.txt'), subject);
        git('add', '.');
        git('commit', '-qm', subject);
        shas.push(git('rev-parse', 'HEAD'));
      }
      expect(await commitsBetween(dir, shas[0]!, shas[2]!)).toEqual([
        { sha: shas[2], author: 'Tomás', subject: 'feat: pricing model v2' },
        { sha: shas[1], author: 'Tomás', subject: 'fix: rounding' },
      ]);
      const unknown = await commitsBetween(dir, shas[0]!, 'b'.repeat(40));
      expect(unknown).toMatchObject({ unavailable: expect.stringMatching(/^git log in .* failed: /) });
      expect(await commitsBetween(dir, shas[0]!, '--output=/tmp/x')).toEqual({
        unavailable: 'a recorded commit id is not a hexadecimal sha',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
