/**
 * Jira Cloud (REST v3): one issue per incident — created when it opens, moved through the
 * workflow when it is acknowledged and resolved — and, when `changes` names environments, one
 * change issue per deployment there, resolved when it succeeds. The issue key is kept per
 * incident / deployment (RefStore), and every issue carries a label naming it, so a create whose
 * answer was lost finds its issue instead of making a second one.
 */
import type { NotificationMessage } from '../message.js';
import type { NotificationSender, RefStore, ResolvedService, SendOutcome } from '../sender.js';
import { messageDoc, paragraph, doc } from './adf.js';
import {
  addComment,
  createIssue,
  findByLabel,
  type JiraAccess,
  listTransitions,
  statusOf,
  transitionIssue,
} from './client.js';

/** The Jira service as the worker resolves it (email and token are secret values by now). */
export interface JiraService {
  site: string;
  email: string;
  token: string;
  project: string;
  issueType: string;
  transitions: { acknowledged?: string; resolved: string; failed?: string };
  changes?: { environments: string[]; issueType: string };
}

/** What one message does in Jira. */
export type JiraAction =
  | { kind: 'create'; ref: string; label: string; issueType: string }
  | { kind: 'move'; ref: string; label: string; transition?: string; what: string; unless?: string }
  | { kind: 'skip'; why: string };

/** A label Jira accepts (no spaces) that names one incident or deployment. */
const labelOf = (project: string, what: string, id: string) =>
  `slipway-${project}-${what}-${id}`.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 255);

/** Decide what a message does: pure, so every trigger's handling is tested as data. */
export function jiraAction(m: NotificationMessage, s: JiraService): JiraAction {
  const v = m.values;
  const project = v.project ?? 'project';
  const incident = v['incident.id'];
  if (m.trigger.startsWith('on-incident-')) {
    if (!incident) return { kind: 'skip', why: 'the event names no incident' };
    const ref = `${project}/incident/${incident}`;
    const label = labelOf(project, 'incident', incident);
    if (m.trigger === 'on-incident-opened') return { kind: 'create', ref, label, issueType: s.issueType };
    if (m.trigger === 'on-incident-resolved')
      return { kind: 'move', ref, label, what: 'incident', transition: s.transitions.resolved };
    // An acknowledgement sent after the resolution (retries reorder them) must not reopen the issue.
    const ack = s.transitions.acknowledged;
    return {
      kind: 'move',
      ref,
      label,
      what: 'incident',
      ...(ack ? { transition: ack } : {}),
      unless: s.transitions.resolved,
    };
  }
  const deployment = v.deployment;
  if (m.trigger.startsWith('on-deployment-')) {
    if (!s.changes || !deployment || !(v.environment && s.changes.environments.includes(v.environment)))
      return { kind: 'skip', why: `deployments in ${v.environment ?? 'this environment'} are not tracked in Jira` };
    const ref = `${project}/deployment/${deployment}`;
    const label = labelOf(project, 'deployment', deployment);
    if (m.trigger === 'on-deployment-started') return { kind: 'create', ref, label, issueType: s.changes.issueType };
    const transition = m.trigger === 'on-deployment-succeeded' ? s.transitions.resolved : s.transitions.failed;
    return { kind: 'move', ref, label, what: 'deployment', ...(transition ? { transition } : {}) };
  }
  return { kind: 'skip', why: `Jira keeps incidents and deployments, not ${m.trigger}` };
}

/** The issue key of a ref: recorded, else found by its label (a create whose answer was lost). */
async function keyOf(a: JiraAccess, refs: RefStore, ref: string, label: string) {
  const known = await refs.get(ref);
  if (known) return { ok: known };
  const found = await findByLabel(a, label);
  if ('ok' in found && found.ok) await refs.set(ref, found.ok);
  return found;
}

async function create(
  a: JiraAccess,
  s: JiraService,
  refs: RefStore,
  m: NotificationMessage,
  act: JiraAction & { kind: 'create' },
): Promise<SendOutcome> {
  const existing = await keyOf(a, refs, act.ref, act.label);
  if ('outcome' in existing) return existing.outcome;
  if (existing.ok) return { kind: 'sent', note: `issue ${existing.ok} already exists` };
  const created = await createIssue(a, {
    project: s.project,
    issueType: act.issueType,
    summary: m.title,
    description: messageDoc(m),
    labels: ['slipway', act.label],
  });
  if ('outcome' in created) return created.outcome;
  await refs.set(act.ref, created.ok.key);
  return { kind: 'sent', status: 201, note: `created ${created.ok.key}` };
}

/** Move the issue by the named transition (unless it is already in that status), then comment. */
async function move(
  a: JiraAccess,
  refs: RefStore,
  m: NotificationMessage,
  act: JiraAction & { kind: 'move' },
): Promise<SendOutcome> {
  const key = await keyOf(a, refs, act.ref, act.label);
  if ('outcome' in key) return key.outcome;
  if (!key.ok) {
    // The create is still in the outbox (or failed): retrying keeps the order opened → acknowledged → resolved.
    return { kind: 'retry', error: `no Jira issue for this ${act.what} yet (it is created by the opening message)` };
  }
  let transition = act.transition;
  if (transition && act.unless) {
    const status = await statusOf(a, key.ok);
    if ('outcome' in status) return status.outcome;
    if (status.ok?.toLowerCase() === act.unless.toLowerCase()) transition = undefined;
  }
  if (transition) {
    const offered = await listTransitions(a, key.ok);
    if ('outcome' in offered) return offered.outcome;
    const name = transition.toLowerCase();
    const t = (offered.ok.transitions ?? []).find(
      (x) => x.name.toLowerCase() === name || x.to?.name?.toLowerCase() === name,
    );
    if (t) {
      const moved = await transitionIssue(a, key.ok, t.id);
      if ('outcome' in moved) return moved.outcome;
    } else {
      const status = await statusOf(a, key.ok);
      if ('outcome' in status) return status.outcome;
      if (status.ok?.toLowerCase() !== name) {
        const names = (offered.ok.transitions ?? []).map((x) => x.name).join(', ') || 'none';
        return {
          kind: 'failed',
          error:
            `Jira offers no transition "${transition}" for ${key.ok} ` +
            `(in status ${status.ok ?? '?'}; offered: ${names})`,
        };
      }
    }
  }
  const commented = await addComment(a, key.ok, doc([paragraph([m.title]), ...(messageDoc(m).content as never[])]));
  if ('outcome' in commented) return commented.outcome;
  const moved = transition ? ` → ${transition}` : act.transition ? ` (already ${act.unless}: not moved)` : '';
  return { kind: 'sent', note: `${key.ok}${moved}` };
}

export const jiraSender: NotificationSender = {
  async send({ message, service, signal, refs }) {
    const s = service as ResolvedService & JiraService;
    const act = jiraAction(message, s);
    if (act.kind === 'skip') return { kind: 'sent', skipped: act.why };
    const access: JiraAccess = { site: s.site, email: s.email, token: s.token, signal };
    return act.kind === 'create' ? create(access, s, refs, message, act) : move(access, refs, message, act);
  },
};
