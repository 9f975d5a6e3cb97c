import { describe, expect, it } from 'vitest';
import { isControl } from './output.js';
import {
  type IncidentView,
  renderIncident,
  renderIncidentList,
  renderIncidentOpened,
  renderResolutionAdded,
} from './render-incidents.js';
import { renderNotifications } from './render-notifications.js';

const evil = 'evil \u001b[31mRED\u001b[0m title\nsecond line';
/** Any control character but the newlines that end lines: what would act on a terminal instead of showing. */
const hasControl = (text: string) => [...text].some((c) => c !== '\n' && isControl(c.charCodeAt(0)));

const incident: IncidentView = {
  id: 'inc_1',
  project: 'harbor',
  environment: 'staging',
  service: null,
  title: evil,
  severity: 'sev2',
  state: 'resolved',
  source: 'manual',
  alertGroup: null,
  owner: 'admin',
  openedBy: 'admin',
  openedAt: '2026-12-07T10:00:00.000Z',
  acknowledgedAt: '2026-12-07T10:01:00.000Z',
  acknowledgedBy: 'admin',
  resolvedAt: '2026-12-07T10:02:00.000Z',
  resolvedBy: 'admin',
  resolution: 'rolled \u001b]0;pwned\u0007back',
  timeToAcknowledgeMs: 60_000,
  timeToResolveMs: 120_000,
  links: [],
};

const notification = {
  id: 1,
  trigger: 'on-incident-opened',
  target: 'ops',
  type: 'webhook',
  title: evil,
  state: 'failed',
  attempts: 3,
  lastError: 'HTTP 500: \u001b[31mboom\r\n',
  createdAt: '2026-12-07T10:00:00.000Z',
};

describe('stored text in incident output', () => {
  it('the list keeps one row per incident, with control characters shown escaped', () => {
    const out = renderIncidentList([incident], Date.parse('2026-12-07T10:05:00Z'));
    expect(out.trimEnd().split('\n')).toHaveLength(2);
    expect(hasControl(out)).toBe(false);
    expect(out).toContain('evil \\u001b[31mRED\\u001b[0m title\\nsecond line');
  });

  it('show escapes the title, the resolution and notes, and lines its labels up', () => {
    const out = renderIncident({
      incident,
      timeline: [
        {
          at: '2026-12-07T10:01:30.000Z',
          category: 'note',
          kind: 'note',
          text: 'saw \u001b[2J502s\nmore',
          by: 'admin',
          deploymentId: null,
          figures: ['bad \u009b figure'],
        },
      ],
    });
    expect(hasControl(out)).toBe(false);
    expect(out).toContain('saw \\u001b[2J502s');
    const labels = out.split('\n').filter((l) => /^ {2}[a-z]+: /.test(l));
    expect(labels.length).toBe(5);
    expect(new Set(labels.map((l) => l.search(/(?<=: +)\S/))).size).toBe(1);
  });

  it('show prints a note of several lines whole, its lines under the first, tabs kept and escapes shown', () => {
    const at = '2026-12-07T10:01:30.000Z';
    const note = (text: string, category: 'note' | 'deployment' = 'note') => ({
      at,
      category,
      kind: category === 'note' ? 'incident.noted' : 'deployment.failed',
      text,
      by: 'admin',
      deploymentId: null,
      figures: [],
    });
    const out = renderIncident({
      incident,
      timeline: [note('rolled back\n\tstep 1: drain\nthen \u001b[31mred\u0007\n'), note('failed\nstack', 'deployment')],
    });
    const timeline = out.split('Timeline\n')[1]!.split('\n');
    const indent = ' '.repeat(2 + at.length + 1 + 12 + 1);
    expect(timeline.slice(0, 4)).toEqual([
      `  ${at} note         rolled back — admin`,
      `${indent}\tstep 1: drain`,
      `${indent}then \\u001b[31mred\\u0007`,
      `  ${at} deployment   failed`,
    ]);
  });

  it('open confirms the severity and the environment', () => {
    expect(renderIncidentOpened({ ...incident, title: 'x', state: 'triggered' })).toBe(
      'inc_1 sev2 in staging, triggered (owner admin)\n',
    );
  });

  it('notifications escape the message column and the errors under the table', () => {
    const out = renderNotifications({ notifications: [notification] });
    expect(hasControl(out)).toBe(false);
    expect(out.trimEnd().split('\n')).toHaveLength(3);
  });

  it('bidi controls and zero-width characters stored earlier show escaped in the list, show and notifications', () => {
    const bidi = 'bidi \u202e gnirts \u200b\u2060\ufeff 👩\u200d💻';
    const timeline = [
      { at: incident.openedAt, category: 'note' as const, kind: 'incident.noted', text: bidi, by: 'admin' },
    ].map((e) => ({ ...e, deploymentId: null, figures: [] }));
    const outs = [
      renderIncidentList([{ ...incident, title: bidi }], Date.parse('2026-12-07T10:05:00Z')),
      renderIncident({ incident: { ...incident, title: bidi }, timeline }),
      renderNotifications({ notifications: [{ ...notification, title: bidi }] }),
    ];
    for (const out of outs) {
      expect(out).toContain('bidi \\u202e gnirts \\u200b\\u2060\\ufeff 👩\u200d💻');
      expect(out).not.toMatch(/[\u202e\u200b\u2060\ufeff]/);
    }
  });

  it('show names the service and versions of linked deployments and releases, one link a line', () => {
    const link = (kind: IncidentView['links'][number]['kind'], ref: string, more = {}) => ({
      kind,
      ref,
      service: null,
      version: null,
      fromVersion: null,
      ...more,
    });
    const out = renderIncident({
      incident: {
        ...incident,
        title: 'x',
        links: [
          link('deployment', 'dep_01', { service: 'quote-api', fromVersion: '1.0.0', version: '9.9.9' }),
          link('release', 'rel_01', { service: 'quote-api', version: '9.9.9' }),
          link('deployment', 'dep_02', { service: 'quote-api', version: '1.0.0' }),
          link('deployment', 'dep_gone'),
          link('alert', 'high-error-rate'),
          link('issue', 'iss_1'),
        ],
      },
      timeline: [],
    });
    expect(out.split('\n').filter((l) => /^ {2}(links: | {7}) {3}\S/.test(l))).toEqual([
      '  links:    deployment of quote-api 1.0.0 → 9.9.9 (dep_01)',
      '            release quote-api 9.9.9',
      '            deployment of quote-api 1.0.0 (dep_02)',
      '            deployment dep_gone',
      '            alert high-error-rate',
      '            error issue iss_1',
    ]);
  });

  it('says why it opened in words, not a second pair of brackets; a resolution added later says so', () => {
    const follower = { ...incident, title: 'x', openedBy: 'slipway (incident follower)', source: 'rollback' as const };
    const opened = (i: IncidentView) => renderIncident({ incident: i, timeline: [] }).split('\n')[2];
    expect(opened(follower)).toBe(
      '  opened:   2026-12-07T10:00:00.000Z by slipway (incident follower) after an automatic rollback',
    );
    expect(opened({ ...incident, source: 'manual' })).toBe('  opened:   2026-12-07T10:00:00.000Z by admin');
    expect(renderResolutionAdded({ ...incident, resolution: 'rolled back; fixed in 4.0.1' })).toBe(
      'inc_1 resolution added: rolled back; fixed in 4.0.1 (resolved by admin at 2026-12-07T10:02:00.000Z)\n',
    );
  });
});
