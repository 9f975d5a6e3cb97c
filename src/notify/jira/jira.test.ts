import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JiraStandIn, adfProblem, startJiraStandIn } from '../../../test/support/jira-stand-in.js';
import { composeMessage } from '../message.js';
import type { RefStore, ResolvedService, SendOutcome } from '../sender.js';
import type { TemplateValues } from '../template.js';
import type { TriggerName } from '../triggers.js';
import { messageDoc } from './adf.js';
import { type JiraService, jiraAction, jiraSender } from './index.js';

const account = { email: 'ops@example.com', token: 'ATATT3xFfGF0-jira-api-token', project: 'OPS' };
let jira: JiraStandIn;
let refs: Map<string, string>;
const store: RefStore = { get: async (k) => refs.get(k), set: async (k, v) => void refs.set(k, v) };

const service = (over: Partial<JiraService> = {}): ResolvedService & JiraService => ({
  type: 'jira',
  site: jira.url,
  ...account,
  issueType: 'Incident',
  transitions: { acknowledged: 'In Progress', resolved: 'Done' },
  ...over,
});

const incident: TemplateValues = {
  project: 'harbor',
  environment: 'production',
  service: 'api',
  'incident.id': 'inc_7',
  'incident.severity': 'sev2',
  'incident.title': 'api 1.5.0 rolled back: error rate 19.6 %',
  reason: 'error-rate.absolute: candidate 19.6 % > 1 %',
};

const message = (trigger: TriggerName, values: TemplateValues = incident) =>
  composeMessage(trigger, values, new Date('2026-12-04T12:00:00Z')).message;

const send = (trigger: TriggerName, values?: TemplateValues, s = service()): Promise<SendOutcome> =>
  jiraSender.send({
    message: message(trigger, values),
    key: `k-${trigger}`,
    service: s,
    signal: AbortSignal.timeout(5000),
    refs: store,
  });

beforeEach(async () => {
  jira = await startJiraStandIn(account);
  refs = new Map();
});
afterEach(async () => {
  await jira.close();
});

describe('jiraAction', () => {
  it('creates per incident, moves on acknowledge and resolve, and tracks deployments only where asked', () => {
    const s = service({ changes: { environments: ['production'], issueType: 'Change' } });
    expect(jiraAction(message('on-incident-opened'), s)).toMatchObject({
      kind: 'create',
      ref: 'harbor/incident/inc_7',
      issueType: 'Incident',
    });
    expect(jiraAction(message('on-incident-acknowledged'), s)).toMatchObject({
      kind: 'move',
      transition: 'In Progress',
    });
    expect(jiraAction(message('on-incident-resolved'), s)).toMatchObject({ kind: 'move', transition: 'Done' });
    const dep = { project: 'harbor', environment: 'production', service: 'api', deployment: 'dep_1', to: '1.5.0' };
    expect(jiraAction(message('on-deployment-started', dep), s)).toMatchObject({ kind: 'create', issueType: 'Change' });
    expect(jiraAction(message('on-deployment-succeeded', dep), s)).toMatchObject({ kind: 'move', transition: 'Done' });
    expect(jiraAction(message('on-deployment-rolled-back', dep), s)).toEqual(expect.objectContaining({ kind: 'move' }));
    expect(jiraAction(message('on-deployment-rolled-back', dep), s)).not.toHaveProperty('transition');
    expect(jiraAction(message('on-deployment-started', { ...dep, environment: 'staging' }), s).kind).toBe('skip');
    expect(jiraAction(message('on-deployment-started', dep), service()).kind).toBe('skip');
    expect(jiraAction(message('on-alert-firing', { project: 'harbor', 'alert.rule': 'x' }), s).kind).toBe('skip');
  });

  it('writes a description the ADF rules accept', () => {
    expect(adfProblem(messageDoc(message('on-incident-opened')))).toBeUndefined();
    // The stand-in is strict: an empty text node (which Jira refuses) is caught.
    expect(
      adfProblem({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] }),
    ).toMatch(/non-empty/);
  });
});

describe('jiraSender against the Jira stand-in', () => {
  it('opens, acknowledges and resolves one issue per incident', async () => {
    expect(await send('on-incident-opened')).toMatchObject({ kind: 'sent', note: 'created OPS-1' });
    const issue = jira.issues.get('OPS-1')!;
    expect(issue.fields).toMatchObject({
      project: { key: 'OPS' },
      issuetype: { name: 'Incident' },
      summary: 'incident opened: api 1.5.0 rolled back: error rate 19.6 % in production',
      labels: ['slipway', 'slipway-harbor-incident-inc_7'],
    });
    expect(JSON.stringify(issue.fields.description)).toContain('error-rate.absolute');
    expect(await send('on-incident-acknowledged')).toMatchObject({ kind: 'sent', note: 'OPS-1 → In Progress' });
    expect(await send('on-incident-resolved')).toMatchObject({ kind: 'sent', note: 'OPS-1 → Done' });
    // A retried resolve (its answer lost) finds the issue already Done: no error, no second issue.
    expect(await send('on-incident-resolved')).toMatchObject({ kind: 'sent' });
    expect(issue.history).toEqual(['To Do', 'In Progress', 'Done']);
    expect(issue.comments).toHaveLength(3);
    expect(jira.issues.size).toBe(1);
    expect(jira.rejected).toEqual([]);
  });

  it('an acknowledgement arriving after the resolution does not reopen the issue', async () => {
    await send('on-incident-opened');
    await send('on-incident-resolved');
    expect(await send('on-incident-acknowledged')).toMatchObject({
      kind: 'sent',
      note: 'OPS-1 (already Done: not moved)',
    });
    expect(jira.issues.get('OPS-1')!.history).toEqual(['To Do', 'Done']);
  });

  it('a create whose answer was lost finds its issue by label instead of creating a second', async () => {
    await send('on-incident-opened');
    refs.clear();
    expect(await send('on-incident-opened')).toMatchObject({ kind: 'sent', note: 'issue OPS-1 already exists' });
    expect(jira.issues.size).toBe(1);
    expect(refs.get('harbor/incident/inc_7')).toBe('OPS-1');
  });

  it('waits for the issue when the acknowledgement comes first', async () => {
    expect(await send('on-incident-acknowledged')).toMatchObject({
      kind: 'retry',
      error: expect.stringMatching(/no Jira issue/),
    });
  });

  it('a wrong token fails at once with Jira’s answer, naming no secret', async () => {
    const outcome = await send('on-incident-opened', incident, service({ token: 'not-the-token' }));
    expect(outcome).toMatchObject({ kind: 'failed', status: 401 });
    expect(JSON.stringify(outcome)).not.toContain('not-the-token');
  });

  it('an unknown project or issue type is Jira’s 400 with the field, not retried', async () => {
    const outcome = await send('on-incident-opened', incident, service({ issueType: 'Epic Fail' }));
    expect(outcome).toMatchObject({
      kind: 'failed',
      status: 400,
      error: expect.stringMatching(/issuetype: Specify a valid issue type/),
    });
  });

  it('a transition the workflow does not offer fails with what it offers', async () => {
    await send('on-incident-opened');
    const outcome = await send(
      'on-incident-acknowledged',
      incident,
      service({ transitions: { acknowledged: 'Triage', resolved: 'Done' } }),
    );
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/no transition "Triage" .*offered: In Progress, Done/),
    });
  });

  it('tracks a production deployment as a change issue', async () => {
    const s = service({ changes: { environments: ['production'], issueType: 'Change' } });
    const dep = {
      project: 'harbor',
      environment: 'production',
      service: 'api',
      deployment: 'dep_9',
      from: '1.4.2',
      to: '1.5.0',
      by: 'dana',
    };
    expect(await send('on-deployment-started', dep, s)).toMatchObject({ kind: 'sent', note: 'created OPS-1' });
    expect(await send('on-deployment-succeeded', dep, s)).toMatchObject({ kind: 'sent', note: 'OPS-1 → Done' });
    expect(jira.issues.get('OPS-1')!.fields.issuetype).toEqual({ name: 'Change' });
    expect(
      await send('on-deployment-started', { ...dep, deployment: 'dep_10', environment: 'staging' }, s),
    ).toMatchObject({
      kind: 'sent',
      skipped: expect.stringMatching(/staging/),
    });
    expect(jira.issues.size).toBe(1);
  });
});
