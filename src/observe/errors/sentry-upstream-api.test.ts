import { describe, expect, it } from 'vitest';
import { startSentryApiStandIn } from '../../../test/support/sentry-api-stand-in.js';
import {
  newDeployRequest,
  newReleaseRequest,
  releasesUrl,
  sendUpstream,
  type SentryUpstream,
  versionProblem,
} from './sentry-upstream-api.js';

const token = 'sntrys_0123456789abcdef';
const upstream: SentryUpstream = { url: 'https://sentry.io', organization: 'acme', projects: ['harbor-api'], token };

describe("requests to Sentry's release API", () => {
  it('create a release: POST …/organizations/{org}/releases/ with version and projects, a bearer token, JSON', () => {
    const r = newReleaseRequest(upstream, '2.1.0');
    expect(r).toEqual({
      what: 'release',
      method: 'POST',
      url: 'https://sentry.io/api/0/organizations/acme/releases/',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'user-agent': 'slipway-sentry-releases/0.1',
      },
      body: '{"version":"2.1.0","projects":["harbor-api"]}',
    });
  });

  it('create a deploy: the version one encoded path segment; environment, name, ISO dates, projects', () => {
    const r = newDeployRequest({ ...upstream, projects: ['api', 'web'] }, 'harbor@2.1.0+build.7', {
      environment: 'production',
      dateStarted: new Date('2026-12-06T14:00:00.000Z'),
      dateFinished: new Date('2026-12-06T14:03:21.500Z'),
      name: 'slipway dep_01',
    });
    expect(r.url).toBe('https://sentry.io/api/0/organizations/acme/releases/harbor%402.1.0%2Bbuild.7/deploys/');
    expect(r.headers.authorization).toBe(`Bearer ${token}`);
    expect(JSON.parse(r.body)).toEqual({
      environment: 'production',
      name: 'slipway dep_01',
      dateStarted: '2026-12-06T14:00:00.000Z',
      dateFinished: '2026-12-06T14:03:21.500Z',
      projects: ['api', 'web'],
    });
  });

  it('encodes every reserved character of a version, so it stays one path segment', () => {
    const url = releasesUrl({ url: 'https://sentry.example.com', organization: 'acme' }, '1.0.0+build/7 rc?#%');
    expect(url).toBe('https://sentry.example.com/api/0/organizations/acme/releases/1.0.0%2Bbuild%2F7%20rc%3F%23%25/');
    expect(decodeURIComponent(url.split('/').at(-2)!)).toBe('1.0.0+build/7 rc?#%');
  });

  it('a deploy never finishes before it started (a clock stepped back)', () => {
    const r = newDeployRequest(upstream, '1.0.0', {
      environment: 'staging',
      dateStarted: new Date('2026-12-06T14:00:05Z'),
      dateFinished: new Date('2026-12-06T14:00:00Z'),
    });
    const body = JSON.parse(r.body);
    expect(body.dateFinished).toBe(body.dateStarted);
    expect(body).not.toHaveProperty('name');
  });

  it("versions Sentry's naming rules refuse are known before sending", () => {
    expect(versionProblem('1.0.0+build.7')).toBeUndefined();
    expect(versionProblem('harbor@2.1.0')).toBeUndefined();
    expect(versionProblem('1.0.0+build/7')).toMatch(/slashes/);
    expect(versionProblem('a\\b')).toMatch(/slashes/);
    expect(versionProblem('..')).toBeDefined();
    expect(versionProblem('x'.repeat(201))).toMatch(/200/);
  });

  it('answers: 201 done, 208 existed, 5xx and silence retried, 4xx refused; no token in a reason', async () => {
    const s = await startSentryApiStandIn({ organization: 'acme', projects: ['harbor-api'], token });
    try {
      const at = { ...upstream, url: s.url };
      const send = (r = newReleaseRequest(at, '1.0.0')) => sendUpstream(r, token, { timeoutMs: 300 });
      expect(await send()).toEqual({ kind: 'done', status: 201, existed: false });
      expect(await send()).toEqual({ kind: 'done', status: 208, existed: true });
      s.script.push(503, 'hang');
      expect(await send()).toEqual({ kind: 'retry', reason: 'HTTP 503' });
      expect(await send()).toEqual({ kind: 'retry', reason: 'no answer within 300 ms' });
      const wrong = await sendUpstream(newReleaseRequest({ ...at, token: 'nope' }, '1.0.0'), 'nope', {
        timeoutMs: 300,
      });
      expect(wrong).toEqual({ kind: 'refused', status: 401, detail: 'Invalid token' });
      expect(await send(newReleaseRequest({ ...at, projects: ['other'] }, '1.0.1'))).toMatchObject({
        kind: 'refused',
        status: 400,
      });
      const missing = newDeployRequest(at, '9.9.9', {
        environment: 'staging',
        dateStarted: new Date(),
        dateFinished: new Date(),
      });
      expect(await send(missing)).toMatchObject({ kind: 'refused', status: 404 });
      const down = await sendUpstream(newReleaseRequest({ ...at, url: 'http://127.0.0.1:1' }, '1.0.0'), token, {
        timeoutMs: 1000,
      });
      expect(down.kind).toBe('retry');
      expect(JSON.stringify(down)).not.toContain(token);
    } finally {
      await s.close();
    }
  });
});
