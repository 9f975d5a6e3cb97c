/**
 * Requests to a team's own Sentry through its public release API, as docs.sentry.io/api/releases/ documents them:
 * "Create a New Release for an Organization" (`POST /api/0/organizations/{org}/releases/`, body `version` and
 * `projects`, both required) and "Create a Deploy" (`POST …/releases/{version}/deploys/`, body `environment` required;
 * `name`, `dateStarted`, `dateFinished`, `projects` optional), authenticated with `Authorization: Bearer <token>`.
 * Requests are built as data (tested as such) and sent by `sendUpstream`, which says what the answer means.
 */
import { messageOf } from '../../shared/errors.js';

/** Where and as whom: the config's `errors.forward.releases` with the token read from the environment's secrets. */
export interface SentryUpstream {
  /** Base URL without a trailing slash: https://sentry.io, or a self-hosted Sentry's. */
  url: string;
  organization: string;
  projects: string[];
  token: string;
}

export interface UpstreamRequest {
  what: 'release' | 'deploy';
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a deploy records: the environment, and when the deployment started and ended. */
export interface DeployFacts {
  environment: string;
  dateStarted: Date;
  dateFinished: Date;
  /** Shown in Sentry's list of deploys (Slipway puts the deployment id there). */
  name?: string;
}

const userAgent = 'slipway-sentry-releases/0.1';

function headersOf(u: SentryUpstream): Record<string, string> {
  return { authorization: `Bearer ${u.token}`, 'content-type': 'application/json', 'user-agent': userAgent };
}

/** `…/api/0/organizations/{org}/releases/`, every path segment encoded (`+` and `/` in a version included). */
export function releasesUrl(u: Pick<SentryUpstream, 'url' | 'organization'>, version?: string): string {
  const base = `${u.url}/api/0/organizations/${encodeURIComponent(u.organization)}/releases/`;
  return version === undefined ? base : `${base}${encodeURIComponent(version)}/`;
}

/** POST …/releases/ with `{version, projects}`: Sentry answers 201, or 208 when the release exists. */
export function newReleaseRequest(u: SentryUpstream, version: string): UpstreamRequest {
  return {
    what: 'release',
    method: 'POST',
    url: releasesUrl(u),
    headers: headersOf(u),
    body: JSON.stringify({ version, projects: u.projects }),
  };
}

/** POST …/releases/{version}/deploys/; `dateFinished` is never before `dateStarted` (clocks can step back). */
export function newDeployRequest(u: SentryUpstream, version: string, d: DeployFacts): UpstreamRequest {
  const started = d.dateStarted.getTime();
  const finished = Math.max(started, d.dateFinished.getTime());
  return {
    what: 'deploy',
    method: 'POST',
    url: `${releasesUrl(u, version)}deploys/`,
    headers: headersOf(u),
    body: JSON.stringify({
      environment: d.environment,
      ...(d.name ? { name: d.name } : {}),
      dateStarted: new Date(started).toISOString(),
      dateFinished: new Date(finished).toISOString(),
      projects: u.projects,
    }),
  };
}

/**
 * Why Sentry would refuse a release name (docs.sentry.io/product/releases/naming-releases/: no newline, tab, forward
 * or back slash; not ".", ".." or " " in its entirety; at most 200 characters), or undefined when it is usable.
 */
export function versionProblem(version: string): string | undefined {
  if (/[\n\r\t/\\]/.test(version)) return 'Sentry release names cannot contain newlines, tabs or slashes';
  if (['', '.', '..', ' '].includes(version)) return 'Sentry refuses this release name';
  if (version.length > 200) return 'Sentry release names are at most 200 characters';
  return undefined;
}

/**
 * How an attempt ended: `done` (201; 208 or 409 when it existed already), `retry` (network error, timeout, 429 or
 * 5xx), `refused` (any other 4xx: the token, the organization or a project is wrong, or the release is missing).
 */
export type UpstreamAnswer =
  | { kind: 'done'; status: number; existed: boolean }
  | { kind: 'retry'; reason: string; afterMs?: number }
  | { kind: 'refused'; status: number; detail: string };

/** What Sentry says in an error body (`{"detail": …}`), shortened; the token is taken out of anything it echoes. */
function detailOf(text: string, token: string): string {
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { detail?: unknown };
    if (parsed && typeof parsed === 'object' && parsed.detail !== undefined) detail = String(parsed.detail);
  } catch {
    // not JSON: the text itself
  }
  return scrub(detail.slice(0, 200), token);
}

/** Replace the token wherever it appears (an error message, a proxy's echo). */
export function scrub(text: string, token: string): string {
  return token ? text.split(token).join('[token]') : text;
}

/** Send one request; never throws. */
export async function sendUpstream(
  r: UpstreamRequest,
  token: string,
  o: { timeoutMs: number; signal?: AbortSignal },
): Promise<UpstreamAnswer> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  try {
    const res = await fetch(r.url, {
      method: r.method,
      headers: r.headers,
      body: r.body,
      signal: o.signal ? AbortSignal.any([timeout, o.signal]) : timeout,
    });
    const text = await res.text().catch(() => '');
    if (res.ok || res.status === 208) return { kind: 'done', status: res.status, existed: res.status === 208 };
    if (res.status === 409) return { kind: 'done', status: res.status, existed: true };
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      return {
        kind: 'retry',
        reason: `HTTP ${res.status}`,
        ...(res.headers.has('retry-after') && Number.isFinite(after) && after >= 0 ? { afterMs: after * 1000 } : {}),
      };
    }
    return { kind: 'refused', status: res.status, detail: detailOf(text, token) };
  } catch (e) {
    const reason = timeout.aborted ? `no answer within ${o.timeoutMs} ms` : messageOf(e);
    return { kind: 'retry', reason: scrub(reason, token) };
  }
}
