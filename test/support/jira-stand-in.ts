/**
 * A local stand-in for Jira Cloud (which cannot run here), serving the REST v3 calls Slipway makes
 * and validating them as Jira documents them: basic auth with the account e-mail and API token,
 * the create-issue fields (project, issuetype, summary ≤ 255 without line breaks, labels without
 * spaces), an Atlassian Document Format description and comment body, and transitions only among
 * those the workflow offers from the issue's status. A refusal answers 400/401/404 with Jira's
 * error body ({"errorMessages": […], "errors": {field: …}}).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInIssue {
  key: string;
  fields: Record<string, any>;
  status: string;
  comments: unknown[];
  /** Statuses in order, from 'To Do'. */
  history: string[];
}

export interface JiraStandIn {
  url: string;
  issues: Map<string, StandInIssue>;
  /** Every refusal, as "METHOD path: reason". */
  rejected: string[];
  /** Every request as "METHOD path". */
  requests: string[];
  close(): Promise<void>;
}

/** A simplified "software" workflow: every status reaches the others by a transition named after it. */
const workflow: Record<string, { id: string; name: string }[]> = {
  'To Do': [
    { id: '21', name: 'In Progress' },
    { id: '31', name: 'Done' },
  ],
  'In Progress': [
    { id: '11', name: 'To Do' },
    { id: '31', name: 'Done' },
  ],
  Done: [
    { id: '11', name: 'To Do' },
    { id: '21', name: 'In Progress' },
  ],
};

const marks = new Set(['strong', 'em', 'code', 'strike', 'underline', 'link']);
const blocks = new Set(['paragraph', 'heading', 'bulletList', 'orderedList', 'listItem', 'rule', 'codeBlock']);

/** The ADF rules Jira applies (the subset of node types Slipway could send; anything else is refused). */
export function adfProblem(node: any, path = 'doc'): string | undefined {
  if (path === 'doc') {
    if (node?.type !== 'doc' || node.version !== 1) return 'doc: type "doc" and version 1 are required';
    if (!Array.isArray(node.content)) return 'doc.content: an array of block nodes';
    for (const [i, b] of node.content.entries()) {
      if (!blocks.has(b?.type) || b.type === 'listItem')
        return `doc.content[${i}]: ${b?.type} is not a top-level block`;
      const p = adfProblem(b, `doc.content[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  const allowedKeys = new Set(['type', 'content', 'text', 'marks', 'attrs']);
  for (const k of Object.keys(node)) if (!allowedKeys.has(k)) return `${path}: unknown property ${k}`;
  switch (node.type) {
    case 'text':
      if (typeof node.text !== 'string' || node.text.length === 0) return `${path}.text: a non-empty string`;
      for (const m of node.marks ?? []) {
        if (!marks.has(m?.type)) return `${path}.marks: unknown mark ${m?.type}`;
        if (m.type === 'link' && typeof m.attrs?.href !== 'string') return `${path}.marks: link needs attrs.href`;
      }
      return undefined;
    case 'hardBreak':
    case 'rule':
      return node.content ? `${path}: ${node.type} has no content` : undefined;
    case 'heading':
      if (!(node.attrs?.level >= 1 && node.attrs?.level <= 6)) return `${path}.attrs.level: 1 to 6`;
      return inline(node, path);
    case 'paragraph':
    case 'codeBlock':
      return inline(node, path);
    case 'bulletList':
    case 'orderedList':
      if (!Array.isArray(node.content) || node.content.length === 0) return `${path}.content: at least one listItem`;
      for (const [i, item] of node.content.entries()) {
        if (item?.type !== 'listItem') return `${path}.content[${i}]: only listItem`;
        if (!Array.isArray(item.content) || item.content.length === 0) return `${path}.content[${i}]: empty listItem`;
        for (const [j, c] of item.content.entries()) {
          if (!['paragraph', 'bulletList', 'orderedList', 'codeBlock'].includes(c?.type))
            return `${path}.content[${i}].content[${j}]: ${c?.type} not allowed in a listItem`;
          const p = adfProblem(c, `${path}.content[${i}].content[${j}]`);
          if (p) return p;
        }
      }
      return undefined;
    default:
      return `${path}: unknown node type ${node.type}`;
  }
}

function inline(node: any, path: string): string | undefined {
  if (node.content === undefined) return undefined;
  if (!Array.isArray(node.content)) return `${path}.content: an array`;
  for (const [i, c] of node.content.entries()) {
    if (!['text', 'hardBreak', 'mention', 'emoji'].includes(c?.type))
      return `${path}.content[${i}]: ${c?.type} is not inline`;
    const p = adfProblem(c, `${path}.content[${i}]`);
    if (p) return p;
  }
  return undefined;
}

/** Why Jira would refuse this create-issue body, as its `errors` map (field → message), or undefined. */
export function createProblem(body: any, project: string, issueTypes: string[]): Record<string, string> | undefined {
  const f = body?.fields;
  if (!f || typeof f !== 'object') return { fields: 'fields is required' };
  const errors: Record<string, string> = {};
  if (f.project?.key !== project && f.project?.id === undefined) errors.project = 'valid project is required';
  if (!issueTypes.includes(f.issuetype?.name)) errors.issuetype = 'Specify a valid issue type';
  if (typeof f.summary !== 'string' || f.summary.trim() === '')
    errors.summary = 'You must specify a summary of the issue.';
  else if (f.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
  else if (/[\r\n]/.test(f.summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
  if (f.description !== undefined) {
    const p = adfProblem(f.description);
    if (p) errors.description = `Operation value must be an Atlassian Document (${p})`;
  }
  if (
    f.labels !== undefined &&
    (!Array.isArray(f.labels) || f.labels.some((l: unknown) => typeof l !== 'string' || /\s/.test(l) || l.length > 255))
  )
    errors.labels = 'labels: strings without spaces';
  const known = new Set(['project', 'issuetype', 'summary', 'description', 'labels']);
  for (const k of Object.keys(f))
    if (!known.has(k)) errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** Start the stand-in on a free loopback port; only this account and project exist. */
export async function startJiraStandIn(account: {
  email: string;
  token: string;
  project: string;
  issueTypes?: string[];
}): Promise<JiraStandIn> {
  const issueTypes = account.issueTypes ?? ['Task', 'Bug', 'Incident', 'Change'];
  const auth = `Basic ${Buffer.from(`${account.email}:${account.token}`).toString('base64')}`;
  const s: JiraStandIn = { url: '', issues: new Map(), rejected: [], requests: [], close: async () => undefined };
  let next = 1;

  const answer = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) return res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    errors: Record<string, string>,
    messages: string[] = [],
  ) => {
    s.rejected.push(
      `${req.method} ${req.url}: ${[...messages, ...Object.entries(errors).map(([k, v]) => `${k}: ${v}`)].join('; ')}`,
    );
    answer(res, status, { errorMessages: messages, errors });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      s.requests.push(`${req.method} ${url.pathname}`);
      if (req.headers.authorization !== auth)
        return refuse(req, res, 401, {}, ['Client must be authenticated to access this resource.']);
      let body: any;
      if (req.method === 'POST') {
        if (!req.headers['content-type']?.startsWith('application/json'))
          return refuse(req, res, 415, {}, ['Content-Type must be application/json']);
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return refuse(req, res, 400, {}, ['Unexpected character: the body is not JSON']);
        }
      }
      const issueMatch = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9_]*-\d+)(\/transitions|\/comment)?$/.exec(url.pathname);
      if (req.method === 'POST' && url.pathname === '/rest/api/3/issue') {
        const errors = createProblem(body, account.project, issueTypes);
        if (errors) return refuse(req, res, 400, errors);
        const key = `${account.project}-${next++}`;
        s.issues.set(key, { key, fields: body.fields, status: 'To Do', comments: [], history: ['To Do'] });
        return answer(res, 201, { id: String(10000 + next), key, self: `${s.url}/rest/api/3/issue/${key}` });
      }
      if (req.method === 'GET' && url.pathname === '/rest/api/3/search/jql') {
        const label = /^labels\s*=\s*"([^"]+)"$/.exec(url.searchParams.get('jql') ?? '')?.[1];
        if (!label) return refuse(req, res, 400, {}, [`Error in the JQL Query: ${url.searchParams.get('jql')}`]);
        const issues = [...s.issues.values()].filter((i) => (i.fields.labels ?? []).includes(label));
        return answer(res, 200, { issues: issues.map((i) => ({ id: i.key, key: i.key })), isLast: true });
      }
      const issue = issueMatch ? s.issues.get(issueMatch[1]!) : undefined;
      if (issueMatch && !issue)
        return refuse(req, res, 404, {}, ['Issue does not exist or you do not have permission to see it.']);
      if (issue && req.method === 'GET' && !issueMatch![2])
        return answer(res, 200, { key: issue.key, fields: { status: { name: issue.status } } });
      if (issue && issueMatch![2] === '/transitions') {
        const offered = workflow[issue.status]!;
        if (req.method === 'GET')
          return answer(res, 200, { transitions: offered.map((t) => ({ ...t, to: { name: t.name } })) });
        const id = body?.transition?.id;
        const t = offered.find((x) => x.id === id);
        if (!t) return refuse(req, res, 400, {}, [`Transition id '${id}' is not valid for this issue.`]);
        issue.status = t.name;
        issue.history.push(t.name);
        return answer(res, 204);
      }
      if (issue && issueMatch![2] === '/comment' && req.method === 'POST') {
        const p = adfProblem(body?.body);
        if (p) return refuse(req, res, 400, { comment: `Comment body is not valid: ${p}` });
        issue.comments.push(body.body);
        return answer(res, 201, { id: String(issue.comments.length) });
      }
      refuse(req, res, 404, {}, [`no such resource: ${req.method} ${url.pathname}`]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return s;
}
