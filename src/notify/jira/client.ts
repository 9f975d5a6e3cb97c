/**
 * The few Jira Cloud REST v3 calls Slipway makes, with basic auth (account e-mail + API token).
 * Each answers the parsed JSON on 2xx, or the outcome the worker records (retry on 5xx/429/no
 * answer, failed on other 4xx with Jira's errorMessages), so callers stop at the first refusal.
 */
import { classify, type HttpAnswer, request } from '../http.js';
import type { SendOutcome } from '../sender.js';
import type { AdfNode } from './adf.js';

export interface JiraAccess {
  site: string;
  email: string;
  token: string;
  signal: AbortSignal;
}

export type Answer<T> = { ok: T } | { outcome: SendOutcome };

/** Jira's error body ({"errorMessages":[…],"errors":{field:…}}) in one line, else the raw answer. */
function jiraError(answer: HttpAnswer): SendOutcome {
  const outcome = classify(answer);
  try {
    const body = JSON.parse(answer.body) as { errorMessages?: string[]; errors?: Record<string, string> };
    const parts = [...(body.errorMessages ?? []), ...Object.entries(body.errors ?? {}).map(([f, m]) => `${f}: ${m}`)];
    if (parts.length > 0 && outcome.kind !== 'sent')
      return { ...outcome, error: `Jira HTTP ${answer.status}: ${parts.join('; ')}` };
  } catch {
    // not JSON: the raw answer stays in the error
  }
  return outcome;
}

async function call<T>(a: JiraAccess, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const answer = await request(`${a.site.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${a.email}:${a.token}`).toString('base64')}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: a.signal,
  });
  if ('kind' in answer) return { outcome: answer };
  if (answer.status < 200 || answer.status >= 300) return { outcome: jiraError(answer) };
  if (answer.status === 204 || answer.body.trim() === '') return { ok: {} as T };
  try {
    return { ok: JSON.parse(answer.body) as T };
  } catch {
    return { outcome: { kind: 'retry', status: answer.status, error: `Jira answered ${answer.status} without JSON` } };
  }
}

export interface NewIssue {
  project: string;
  issueType: string;
  summary: string;
  description: AdfNode;
  labels: string[];
}

/** POST /rest/api/3/issue → the new issue's key. */
export const createIssue = (a: JiraAccess, issue: NewIssue) =>
  call<{ key: string }>(a, 'POST', '/rest/api/3/issue', {
    fields: {
      project: { key: issue.project },
      issuetype: { name: issue.issueType },
      // Jira refuses a summary over 255 characters or with a line break.
      summary: issue.summary.replace(/\s+/g, ' ').slice(0, 255),
      description: issue.description,
      labels: issue.labels,
    },
  });

/** The key of an issue carrying this label (JQL search), so a create that timed out is not repeated. */
export async function findByLabel(a: JiraAccess, label: string): Promise<Answer<string | undefined>> {
  const jql = encodeURIComponent(`labels = "${label}"`);
  const found = await call<{ issues?: { key: string }[] }>(a, 'GET', `/rest/api/3/search/jql?jql=${jql}&fields=key`);
  return 'ok' in found ? { ok: found.ok.issues?.[0]?.key } : found;
}

export interface Transition {
  id: string;
  name: string;
  to?: { name?: string };
}

/** GET /rest/api/3/issue/{key}/transitions: what the workflow allows from the issue's status now. */
export const listTransitions = (a: JiraAccess, key: string) =>
  call<{ transitions?: Transition[] }>(a, 'GET', `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`);

/** POST /rest/api/3/issue/{key}/transitions. */
export const transitionIssue = (a: JiraAccess, key: string, id: string) =>
  call<object>(a, 'POST', `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`, { transition: { id } });

/** The issue's status name. */
export async function statusOf(a: JiraAccess, key: string): Promise<Answer<string | undefined>> {
  const issue = await call<{ fields?: { status?: { name?: string } } }>(
    a,
    'GET',
    `/rest/api/3/issue/${encodeURIComponent(key)}?fields=status`,
  );
  return 'ok' in issue ? { ok: issue.ok.fields?.status?.name } : issue;
}

/** POST /rest/api/3/issue/{key}/comment with an ADF body. */
export const addComment = (a: JiraAccess, key: string, body: AdfNode) =>
  call<object>(a, 'POST', `/rest/api/3/issue/${encodeURIComponent(key)}/comment`, { body });
