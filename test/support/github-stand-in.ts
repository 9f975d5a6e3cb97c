/**
 * A local stand-in for GitHub's REST API (which cannot run here), serving deployments and their
 * statuses for one repository and validating requests as GitHub documents them: a bearer token,
 * `Accept: application/vnd.github+json`, a User-Agent, the API version header; `ref` required;
 * `state` one of error, failure, inactive, in_progress, queued, pending, success; `description` at
 * most 140 characters; `environment_url` and `log_url` http(s) URLs. Unknown fields are refused
 * too (GitHub ignores them; here they are a typo to catch). Refusals answer GitHub's error body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInDeployment {
  id: number;
  ref: string;
  environment: string;
  payload: any;
  production_environment: boolean;
  statuses: { state: string; description?: string; environment?: string; environment_url?: string; log_url?: string }[];
}

export interface GithubStandIn {
  url: string;
  deployments: StandInDeployment[];
  rejected: string[];
  requests: string[];
  close(): Promise<void>;
}

const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const deploymentFields = [
  'ref',
  'task',
  'auto_merge',
  'required_contexts',
  'payload',
  'environment',
  'description',
  'transient_environment',
  'production_environment',
];
const statusFields = [
  'state',
  'target_url',
  'log_url',
  'description',
  'environment',
  'environment_url',
  'auto_inactive',
];
const isUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v);

/** Why GitHub would refuse a create-deployment body (field → code), or undefined. */
export function deploymentProblem(body: any): Record<string, string> | undefined {
  const e: Record<string, string> = {};
  if (typeof body?.ref !== 'string' || body.ref === '') e.ref = 'missing_field';
  if (body?.environment !== undefined && typeof body.environment !== 'string') e.environment = 'invalid';
  if (body?.required_contexts !== undefined && !Array.isArray(body.required_contexts)) e.required_contexts = 'invalid';
  for (const k of ['auto_merge', 'transient_environment', 'production_environment'])
    if (body?.[k] !== undefined && typeof body[k] !== 'boolean') e[k] = 'invalid';
  for (const k of Object.keys(body ?? {})) if (!deploymentFields.includes(k)) e[k] = 'unknown_field';
  return Object.keys(e).length > 0 ? e : undefined;
}

/** Why GitHub would refuse a create-status body, or undefined. */
export function statusProblem(body: any): Record<string, string> | undefined {
  const e: Record<string, string> = {};
  if (!states.includes(body?.state)) e.state = 'invalid';
  if (body?.description !== undefined && (typeof body.description !== 'string' || body.description.length > 140))
    e.description = 'invalid: at most 140 characters';
  for (const k of ['environment_url', 'log_url', 'target_url'])
    if (body?.[k] !== undefined && !isUrl(body[k])) e[k] = 'invalid';
  if (body?.auto_inactive !== undefined && typeof body.auto_inactive !== 'boolean') e.auto_inactive = 'invalid';
  for (const k of Object.keys(body ?? {})) if (!statusFields.includes(k)) e[k] = 'unknown_field';
  return Object.keys(e).length > 0 ? e : undefined;
}

/** Start the stand-in for one repository and token on a free loopback port. */
export async function startGithubStandIn(repo: {
  repository: string;
  token: string;
  commits: string[];
}): Promise<GithubStandIn> {
  const s: GithubStandIn = { url: '', deployments: [], rejected: [], requests: [], close: async () => undefined };
  let next = 1000;
  const answer = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    message: string,
    errors?: Record<string, string>,
  ) => {
    s.rejected.push(`${req.method} ${req.url}: ${message}${errors ? ` ${JSON.stringify(errors)}` : ''}`);
    answer(res, status, {
      message,
      ...(errors
        ? { errors: Object.entries(errors).map(([field, code]) => ({ resource: 'Deployment', field, code })) }
        : {}),
      documentation_url: 'https://docs.github.com/rest/deployments',
    });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      s.requests.push(`${req.method} ${url.pathname}`);
      if (req.headers.authorization !== `Bearer ${repo.token}`) return refuse(req, res, 401, 'Bad credentials');
      if (!req.headers['user-agent'])
        return refuse(
          req,
          res,
          403,
          'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
        );
      if (req.headers.accept !== 'application/vnd.github+json')
        return refuse(req, res, 415, 'Unsupported media type: Accept');
      if (req.headers['x-github-api-version'] !== '2022-11-28') return refuse(req, res, 400, 'Invalid API version');
      const base = `/repos/${repo.repository}/deployments`;
      let body: any;
      if (req.method === 'POST') {
        if (!req.headers['content-type']?.startsWith('application/json')) return refuse(req, res, 415, 'Content-Type');
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return refuse(req, res, 400, 'Problems parsing JSON');
        }
      }
      if (url.pathname === base && req.method === 'POST') {
        const problem = deploymentProblem(body);
        if (problem) return refuse(req, res, 422, 'Validation Failed', problem);
        if (!repo.commits.includes(body.ref)) return refuse(req, res, 409, `No ref found for: ${body.ref}`);
        const d: StandInDeployment = {
          id: next++,
          ref: body.ref,
          environment: body.environment ?? 'production',
          payload: body.payload ?? {},
          production_environment: body.production_environment ?? body.environment === 'production',
          statuses: [],
        };
        s.deployments.push(d);
        return answer(res, 201, { id: d.id, sha: d.ref, ref: d.ref, environment: d.environment, payload: d.payload });
      }
      if (url.pathname === base && req.method === 'GET') {
        const q = url.searchParams;
        const listed = s.deployments.filter(
          (d) =>
            (!q.get('sha') || d.ref === q.get('sha')) &&
            (!q.get('environment') || d.environment === q.get('environment')),
        );
        return answer(
          res,
          200,
          listed.map((d) => ({ id: d.id, sha: d.ref, environment: d.environment, payload: d.payload })),
        );
      }
      const m = new RegExp(`^${base}/(\\d+)/statuses$`).exec(url.pathname);
      if (m && req.method === 'POST') {
        const d = s.deployments.find((x) => x.id === Number(m[1]));
        if (!d) return refuse(req, res, 404, 'Not Found');
        const problem = statusProblem(body);
        if (problem) return refuse(req, res, 422, 'Validation Failed', problem);
        d.statuses.push(body);
        if (body.environment) d.environment = body.environment;
        return answer(res, 201, { id: d.statuses.length, state: body.state });
      }
      refuse(req, res, 404, 'Not Found');
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
