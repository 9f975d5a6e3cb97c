import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigWithWarnings } from '../config/load.js';
import type { NotificationsConfig } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { onlyFilledBy, unfilledPlaceholders } from './filled-by.js';
import type { TemplateVariable } from './template.js';
import { triggerOf, triggeringKinds } from './triggers.js';
import { valuesOf } from './values.js';

const notifications = (template: { title: string; body: string }, on: string[]): NotificationsConfig =>
  ({
    services: { chat: { type: 'slack', url: 'secret:SLACK_URL' } },
    templates: { mine: template },
    subscriptions: [
      { on: ['on-deployment-started'], to: ['chat'] },
      { on, to: ['chat'], template: 'mine' },
    ],
  }) as unknown as NotificationsConfig;

describe('unfilledPlaceholders', () => {
  it('names the placeholders a subscription’s triggers never fill, and only those triggers', () => {
    const warnings = unfilledPlaceholders(
      notifications({ title: '{{incident.title}} in {{environment}}', body: '{{incident.severity}}' }, [
        'on-deployment-failed',
        'on-incident-opened',
      ]),
    );
    expect(warnings).toEqual([
      {
        path: ['notifications', 'subscriptions', 1, 'template'],
        message:
          'template "mine" names {{incident.title}} (never filled for on-deployment-failed), {{incident.severity}} ' +
          '(never filled for on-deployment-failed): those messages cannot be rendered and go out as the plain ' +
          'message instead',
      },
    ]);
  });

  it('says nothing when every trigger fills what the template names, or without notifications', () => {
    const fine = notifications({ title: '{{service}} {{to}}', body: '{{release.notes}}' }, ['on-deployment-succeeded']);
    expect(unfilledPlaceholders(fine)).toEqual([]);
    expect(unfilledPlaceholders(undefined)).toEqual([]);
  });
});

// The table must say no more than values.ts does: every triggering event kind, with data holding every field
// values.ts reads, fills a listed placeholder only for a trigger the table allows.
it('matches values.ts: a listed placeholder is filled only for the triggers listed', async () => {
  const empty: Queryable = { query: async () => ({ rows: [], rowCount: 0 }) as never, exec: async () => undefined };
  const data = {
    incident: { id: 'inc_1', severity: 'sev2', title: 'down' },
    runAt: '2026-12-05T22:00:00Z',
    version: '2.0.0',
    blocking: 'dep_2',
    waitUntil: '2026-12-05T23:00:00Z',
    error: 'no',
    requestedBy: 'ana',
    cancelledBy: 'ana',
  };
  let checked = 0;
  for (const kind of triggeringKinds)
    for (const extra of [{ state: 'succeeded' }, { state: 'rolled_back' }, { noticed: true }, { noticed: false }]) {
      const event = {
        id: 1,
        project: 'harbor',
        service: 'api',
        environment: 'production',
        kind,
        message: kind,
        data: { ...data, ...extra },
        at: new Date(),
      };
      const trigger = triggerOf(event);
      if (!trigger) continue;
      const values = await valuesOf(empty, event, trigger, 'http://127.0.0.1:7420');
      for (const name of Object.keys(values) as TemplateVariable[]) {
        const only = onlyFilledBy[name];
        if (only) expect(only, `${name} filled for ${trigger} (${kind})`).toContain(trigger);
      }
      checked += 1;
    }
  expect(checked).toBeGreaterThan(triggeringKinds.length);
});

it('is a `slipway validate` warning with its key path and line, and the file still loads', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-filled-by-'));
  try {
    const file = path.join(dir, 'slipway.yaml');
    writeFileSync(
      file,
      [
        'project: p',
        'environments:',
        '  staging: { listen: 127.0.0.1:8081 }',
        'services:',
        '  api: { command: node }',
        'notifications:',
        '  services:',
        '    chat: { type: slack, url: "secret:SLACK_URL" }',
        '  templates:',
        '    paged: { title: "{{incident.title}}", body: "{{service}} in {{environment}}" }',
        '  subscriptions:',
        '    - { on: [on-incident-opened], to: [chat], template: paged }',
        '    - on: [on-deployment-started]',
        '      to: [chat]',
        '      template: paged',
      ].join('\n'),
    );
    const { config, warnings } = await loadConfigWithWarnings(file);
    expect(config.notifications?.subscriptions).toHaveLength(2);
    expect(warnings.map((w) => [w.path, w.line])).toEqual([['notifications.subscriptions[1].template', 15]]);
    expect(warnings[0]!.message).toContain('{{incident.title}} (never filled for on-deployment-started)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
