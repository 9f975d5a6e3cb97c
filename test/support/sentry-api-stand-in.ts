/**
 * A local stand-in for Sentry's release API (no Sentry can run here), answering as docs.sentry.io/api/releases/
 * documents "Create a New Release for an Organization" and "Create a Deploy", and checking each request strictly:
 * POST on `/api/0/organizations/{org}/releases/` or `…/releases/{version}/deploys/` (the version one encoded path
 * segment), `Authorization: Bearer <token>`, `Content-Type: application/json`, a JSON object body; a release needs
 * `version` (a usable release name) and `projects` (known slugs, one at least); a deploy needs `environment`, and its
 * `dateStarted` / `dateFinished` are ISO 8601 date-times with a zone, finished not before started. Unknown fields are
 * refused too (Sentry ignores them; here they are a typo to catch). Answers: 201 with the object, 208 for a release
 * that exists, 404 for a deploy of a release that does not, 401 for a wrong token, 400 naming the field.
 * `script` queues answers that come first (a status, or 'hang': never answered).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface SentryApiStandIn {
  url: string;
  /** Releases by version, with their projects. */
  releases: Map<string, { version: string; projects: string[] }>;
  deploys: { version: string; environment: string; name?: string; dateStarted?: string; dateFinished?: string }[];
  /** Every request, as received. */
  requests: StandInRequest[];
  /** Why requests were refused with a 400/401/404/405/415 (expected empty). */
  rejected: string[];
  /** Answers given before the documented behaviour, in order. */
  script: (number | 'hang')[];
  close(): Promise<void>;
}

const dateTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;
const isDate = (v: unknown) => typeof v === 'string' && dateTime.test(v) && !Number.isNaN(Date.parse(v));
const releaseFields = ['version', 'projects', 'ref', 'url', 'dateReleased', 'commits', 'refs'];
const deployFields = ['environment', 'name', 'url', 'dateStarted', 'dateFinished', 'projects'];

/** Why Sentry would refuse a create-release body (field → message), or undefined. */
export function releaseProblem(body: any, knownProjects: string[]): Record<string, string> | undefined {
  const e: Record<string, string> = {};
  const v = body?.version;
  if (typeof v !== 'string' || v === '' || /[\n\r\t/\\]/.test(v) || ['.', '..', ' '].includes(v) || v.length > 200)
    e.version = 'This field is required and must be a valid release name.';
  const p = body?.projects;
  if (!Array.isArray(p) || p.length === 0 || p.some((s) => typeof s !== 'string'))
    e.projects = 'This field is required (a list of project slugs).';
  else if (p.some((s: string) => !knownProjects.includes(s))) e.projects = 'Invalid project slugs';
  for (const k of Object.keys(body ?? {})) if (!releaseFields.includes(k)) e[k] = 'unknown field';
  return Object.keys(e).length ? e : undefined;
}

/** Why Sentry would refuse a create-deploy body, or undefined. */
export function deployProblem(body: any, knownProjects: string[]): Record<string, string> | undefined {
  const e: Record<string, string> = {};
  const env = body?.environment;
  if (typeof env !== 'string' || env === '' || env.length > 64 || /[\s/]/.test(env))
    e.environment = 'This field is required and must be a valid environment name.';
  for (const k of ['dateStarted', 'dateFinished'])
    if (body?.[k] !== undefined && !isDate(body[k])) e[k] = 'Datetime has wrong format.';
  if (isDate(body?.dateStarted) && isDate(body?.dateFinished))
    if (Date.parse(body.dateFinished) < Date.parse(body.dateStarted)) e.dateFinished = 'is before dateStarted';
  if (body?.name !== undefined && typeof body.name !== 'string') e.name = 'Not a valid string.';
  const p = body?.projects;
  if (p !== undefined && !(Array.isArray(p) && p.every((slug) => knownProjects.includes(slug))))
    e.projects = 'Invalid project slugs';
  for (const k of Object.keys(body ?? {})) if (!deployFields.includes(k)) e[k] = 'unknown field';
  return Object.keys(e).length ? e : undefined;
}

/** Start a stand-in for organization `organization` with these projects, accepting `token`. */
export async function startSentryApiStandIn(o: {
  organization: string;
  projects: string[];
  token: string;
}): Promise<SentryApiStandIn> {
  const s: SentryApiStandIn = {
    url: '',
    releases: new Map(),
    deploys: [],
    requests: [],
    rejected: [],
    script: [],
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, why: string, body: unknown) => {
    s.rejected.push(why);
    answer(res, status, body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      s.requests.push({ method: req.method ?? '', path, headers: req.headers, body, at: Date.now() });
      const scripted = s.script.shift();
      if (scripted === 'hang') return; // never answered: the client's timeout must end it
      if (scripted !== undefined) return answer(res, scripted, { detail: 'scripted' });
      const m = /^\/api\/0\/organizations\/([^/]+)\/releases\/(?:([^/]+)\/deploys\/)?$/.exec(path);
      if (!m)
        return refuse(res, 404, `no such route: ${req.method} ${path}`, {
          detail: 'The requested resource does not exist',
        });
      if (req.method !== 'POST') return refuse(res, 405, `method ${req.method}`, { detail: 'Method not allowed' });
      if (req.headers.authorization !== `Bearer ${o.token}`)
        return refuse(res, 401, `authorization: ${req.headers.authorization ? 'wrong token' : 'none'}`, {
          detail: 'Invalid token',
        });
      if (!/^application\/json(;|$)/.test(req.headers['content-type'] ?? ''))
        return refuse(res, 415, `content-type ${req.headers['content-type']}`, { detail: 'Unsupported media type' });
      if (decodeURIComponent(m[1]!) !== o.organization)
        return refuse(res, 404, `organization ${m[1]}`, { detail: 'The requested resource does not exist' });
      let parsed: any;
      try {
        parsed = JSON.parse(body);
      } catch {
        return refuse(res, 400, 'body is not JSON', { detail: 'JSON parse error' });
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        return refuse(res, 400, 'body is not an object', { detail: 'Invalid data' });
      if (m[2] === undefined) {
        const problem = releaseProblem(parsed, o.projects);
        if (problem) return refuse(res, 400, `release: ${JSON.stringify(problem)}`, problem);
        const known = s.releases.get(parsed.version);
        if (known) return answer(res, 208, { version: known.version, projects: known.projects });
        s.releases.set(parsed.version, { version: parsed.version, projects: parsed.projects });
        return answer(res, 201, { version: parsed.version, dateCreated: new Date().toISOString() });
      }
      const version = decodeURIComponent(m[2]);
      const problem = deployProblem(parsed, o.projects);
      if (problem) return refuse(res, 400, `deploy: ${JSON.stringify(problem)}`, problem);
      // Not a refusal of the format: Sentry's answer when the release is not there (yet).
      if (!s.releases.has(version)) return answer(res, 404, { detail: 'The requested resource does not exist' });
      s.deploys.push({
        version,
        environment: parsed.environment,
        ...(parsed.name !== undefined ? { name: parsed.name } : {}),
        ...(parsed.dateStarted !== undefined ? { dateStarted: parsed.dateStarted } : {}),
        ...(parsed.dateFinished !== undefined ? { dateFinished: parsed.dateFinished } : {}),
      });
      return answer(res, 201, { id: String(s.deploys.length), environment: parsed.environment, ...parsed });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}
