import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { testApi } from '../../../test/support/api-harness.js';
import { validateConfigObject } from '../../config/validate.js';
import { findActiveSession } from '../sessions.js';
import { exportAudit } from '../audit/chain.js';
import type { SsoConfig } from '../../config/model.js';
import { isSlipwayError } from '../../shared/errors.js';
import { completeLogin } from './login.js';
import { openPendingLogin, type PendingLogin } from './pending-cookie.js';

/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider, started here on a
 * loopback port with its development login and consent pages), driven like a browser would:
 * coordinator /start → provider authorization endpoint → login form → consent form → redirect
 * with a code → coordinator /callback, which exchanges the code and checks the ID token.
 */

const clientSecret = 'a-test-client-secret-long-enough-for-hs256';
const secretVariable = 'SLIPWAY_TEST_OIDC_SECRET';
const redirectUri = 'http://127.0.0.1:7420/api/v1/auth/oidc/callback';
const people: Record<string, string[]> = {
  alice: ['release-managers', 'engineers'],
  bob: ['contractors'],
  carol: ['platform-admins'],
  // Their provider lets people edit their profile: the email claim holds a NUL, which the store cannot keep.
  mallory: ['engineers'],
};
const emailOf = (sub: string) => (sub === 'mallory' ? 'mal\u0000lory@example.com' : `${sub}@example.com`);

let providerServer: Server;
let issuer: string;
let h: Harness;
let app: FastifyInstance;
let sso: SsoConfig;
/** Paths the provider was asked for, in order (the coordinator's requests and the "browser's"). */
const providerPaths: string[] = [];

beforeAll(async () => {
  let provider: Provider | undefined;
  providerServer = createServer((req, res) => {
    providerPaths.push(new URL(req.url ?? '/', 'http://provider').pathname);
    provider!.callback()(req, res);
  });
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'slipway',
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: (_ctx, sub) =>
      people[sub]
        ? {
            accountId: sub,
            claims: () => ({ sub, email: emailOf(sub), preferred_username: sub, groups: people[sub] }),
          }
        : undefined,
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key-1'] },
  });
  // The provider logs rejected requests through its own events; a test run stays quiet.
  provider.on('server_error', () => undefined);

  process.env[secretVariable] = clientSecret;
  const config = validateConfigObject(
    {
      project: 'harbor',
      environments: { staging: { listen: '127.0.0.1:18081' }, production: { listen: '127.0.0.1:18082' } },
      services: { api: { command: 'node', args: ['server.js'], instances: 1 } },
      sso: {
        issuer,
        clientId: 'slipway',
        clientSecret: `env:${secretVariable}`,
        redirectUri,
        groups: {
          'platform-admins': ['admin:*'],
          'release-managers': ['approver:production', 'deployer:staging,production'],
          engineers: ['viewer:*'],
        },
      },
    },
    { baseDir: '/srv/harbor' },
  );
  sso = config.sso!;
  h = await engineHarness(config);
  app = await testApi(h);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
  providerServer?.closeAllConnections();
  await new Promise((resolve) => providerServer?.close(resolve));
  delete process.env[secretVariable];
});

/** `name=value` of each Set-Cookie header. */
function setCookies(header: string | string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of [header ?? []].flat()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return cookies;
}

/**
 * A browser at the provider: follows redirects, keeps the provider's cookies, logs in as `login`
 * on the login page and confirms the consent page, until the provider redirects to the callback.
 */
async function atProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = new Map<string, string>();
  const cookie = () =>
    [...jar]
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  let next: { url: string; form?: Record<string, string> } = { url: authorizationUrl };
  const pages: string[] = [];
  for (let hop = 0; hop < 12; hop++) {
    const res = await request(next.url, {
      method: next.form ? 'POST' : 'GET',
      headers: { cookie: cookie(), ...(next.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(next.form ? { body: new URLSearchParams(next.form).toString() } : {}),
    });
    for (const [k, v] of setCookies(res.headers['set-cookie'])) jar.set(k, v);
    if (res.statusCode >= 300 && res.statusCode < 400) {
      await res.body.dump();
      const location = new URL(res.headers.location as string, next.url);
      if (location.href.startsWith(redirectUri)) return location;
      next = { url: location.href };
      continue;
    }
    const html = await res.body.text();
    expect(res.statusCode, html.slice(0, 300)).toBe(200);
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!, next.url).href;
    const prompt = /name="prompt" value="(\w+)"/.exec(html)![1]!;
    pages.push(prompt);
    next = { url: action, form: prompt === 'login' ? { prompt, login, password: 'any' } : { prompt } };
  }
  throw new Error(`the provider never redirected to the callback (pages: ${pages.join(', ')})`);
}

/** /start on the coordinator, then the provider: the callback URL and the login cookie to send it with. */
async function logIn(login: string): Promise<{ authorizationUrl: URL; callback: URL; loginCookie: string }> {
  const start = await app.inject({ url: '/api/v1/auth/oidc/start' });
  expect(start.statusCode, start.body).toBe(302);
  const loginCookie = setCookies(start.headers['set-cookie']).get('slipway_oidc_login')!;
  expect(loginCookie).toBeTruthy();
  const authorizationUrl = new URL(start.headers.location as string);
  const callback = await atProvider(authorizationUrl.href, login);
  return { authorizationUrl, callback, loginCookie };
}

const callbackRequest = (callback: URL, loginCookie: string) => ({
  url: `${callback.pathname}${callback.search}`,
  headers: { cookie: `slipway_oidc_login=${loginCookie}` },
});

async function auditEntries(): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of exportAudit(h.db, new Date(0))) rows.push(row);
  return rows;
}

describe('single sign-on with OpenID Connect', () => {
  it('start redirects to the provider with PKCE (S256), state and nonce', async () => {
    const start = await app.inject({ url: '/api/v1/auth/oidc/start' });
    expect(start.statusCode).toBe(302);
    const url = new URL(start.headers.location as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe('slipway');
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(url.searchParams.get('scope')).toBe('openid profile email groups');
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const cookieLine = [start.headers['set-cookie']].flat()[0]!;
    expect(cookieLine).toMatch(
      /^slipway_oidc_login=[A-Za-z0-9_-]+; Max-Age=600; Path=\/api\/v1\/auth\/oidc; HttpOnly; SameSite=Lax$/,
    );
    // The verifier never leaves the coordinator in the clear.
    expect(start.headers.location).not.toContain('code_verifier');
  });

  it('a person in mapped groups gets a session with the grants of those groups; the code works once', async () => {
    const { callback, loginCookie } = await logIn('alice');
    expect(callback.searchParams.get('code')).toBeTruthy();
    providerPaths.length = 0;
    const res = await app.inject(callbackRequest(callback, loginCookie));
    expect(res.statusCode, res.body).toBe(200);
    // The code was exchanged, and the ID token's signature checked against the provider's keys.
    expect(providerPaths).toEqual(expect.arrayContaining(['/token', '/jwks']));
    const body = res.json();
    expect(body).toMatchObject({
      name: 'alice@example.com',
      subject: `${issuer}#alice`,
      kind: 'oidc',
      mfa: false,
      grants: [
        { role: 'approver', environments: ['production'] },
        { role: 'deployer', environments: ['staging', 'production'] },
        { role: 'viewer', environments: '*' },
      ],
    });
    const cookies = setCookies(res.headers['set-cookie']);
    expect(cookies.get('slipway_oidc_login')).toBe(''); // the login in progress is over
    const session = await findActiveSession(h.db, cookies.get('slipway_session')!);
    expect(session?.identity).toEqual({
      kind: 'oidc',
      subject: `${issuer}#alice`,
      name: 'alice@example.com',
      mfa: false,
      grants: body.grants,
    });
    expect(session?.csrfToken).toBe(body.csrfToken);
    const audit = await auditEntries();
    expect(audit.find((e) => e.action === 'auth.oidc.login' && e.outcome === 'allowed')).toMatchObject({
      actor: `alice@example.com (${issuer}#alice)`,
      status: 200,
    });

    // The same callback again (a replayed code): the provider refuses it.
    const replay = await app.inject(callbackRequest(callback, loginCookie));
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toMatch(
      /the provider refused the authorization code: invalid_grant.*a code works once/,
    );
    expect(setCookies(replay.headers['set-cookie']).has('slipway_session')).toBe(false);
  });

  it('tells the login page it is configured, and sends a browser on to the dashboard logged in', async () => {
    expect((await app.inject({ url: '/api/v1/auth/oidc' })).json()).toEqual({ configured: true });
    const { callback, loginCookie } = await logIn('alice');
    const request = callbackRequest(callback, loginCookie);
    const res = await app.inject({ ...request, headers: { ...request.headers, accept: 'text/html,*/*;q=0.8' } });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/');
    const session = await findActiveSession(h.db, setCookies(res.headers['set-cookie']).get('slipway_session')!);
    expect(session?.identity.name).toBe('alice@example.com');
  });

  it('an admin group maps to admin on every environment', async () => {
    const { callback, loginCookie } = await logIn('carol');
    const res = await app.inject(callbackRequest(callback, loginCookie));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().grants).toEqual([{ role: 'admin', environments: '*' }]);
  });

  it('a person whose groups map to nothing is refused with 403, and the refusal is audited', async () => {
    const { callback, loginCookie } = await logIn('bob');
    const res = await app.inject(callbackRequest(callback, loginCookie));
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/^no Slipway role for your groups: contractors/);
    expect(setCookies(res.headers['set-cookie']).has('slipway_session')).toBe(false);
    const denied = (await auditEntries()).filter((e) => e.action === 'auth.oidc.login' && e.outcome === 'denied');
    expect(denied.some((e) => e.status === 403 && JSON.stringify(e.after).includes('contractors'))).toBe(true);
  });

  it('a claim the store cannot keep (a NUL in the email) is a 401 naming the claim, audited, no session', async () => {
    const { callback, loginCookie } = await logIn('mallory');
    const res = await app.inject(callbackRequest(callback, loginCookie));
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().error.message).toBe(
      "the provider's email claim contains a NUL character (\\u0000), which Slipway cannot store: " +
        'ask its administrator to correct it',
    );
    expect(setCookies(res.headers['set-cookie']).has('slipway_session')).toBe(false);
    const denied = (await auditEntries()).filter((e) => e.action === 'auth.oidc.login' && e.outcome === 'denied');
    expect(denied.some((e) => e.status === 401 && JSON.stringify(e.after).includes('email claim'))).toBe(true);
  });

  it('a tampered state, an altered login cookie or none at all is refused with 401', async () => {
    const { callback, loginCookie } = await logIn('alice');
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const res = await app.inject(callbackRequest(tampered, loginCookie));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/state mismatch/);

    const altered = Buffer.from(loginCookie, 'base64url');
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    const bad = await app.inject(callbackRequest(callback, altered.toString('base64url')));
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.message).toMatch(/login cookie was altered/);

    const none = await app.inject({ url: `${callback.pathname}${callback.search}` });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.message).toMatch(/no login in progress in this browser/);

    // A login started in another browser (its own cookie) cannot take this callback either.
    const other = await app.inject({ url: '/api/v1/auth/oidc/start' });
    const otherCookie = setCookies(other.headers['set-cookie']).get('slipway_oidc_login')!;
    const swapped = await app.inject(callbackRequest(callback, otherCookie));
    expect(swapped.statusCode).toBe(401);
    expect(swapped.json().error.message).toMatch(/state mismatch/);
  });

  it('an expired ID token is refused as unauthorized (401), checked against the injected clock', async () => {
    const { callback, loginCookie } = await logIn('alice');
    const pending = openPendingLogin(loginCookie, clientSecret) as PendingLogin;
    expect(pending.state).toBe(callback.searchParams.get('state'));
    const env = { [secretVariable]: clientSecret };
    // Two hours on: the provider's ID tokens live one hour by default.
    const error = await completeLogin(sso, callback, pending, { env, now: () => Date.now() + 2 * 3_600_000 }).catch(
      (e: unknown) => e,
    );
    expect(isSlipwayError(error) && error.code).toBe('unauthorized');
    expect((error as Error).message).toMatch(/^login rejected: .*"exp"/);
  });

  it('a provider error on the callback (the person cancelled) is 401 naming it', async () => {
    const start = await app.inject({ url: '/api/v1/auth/oidc/start' });
    const state = new URL(start.headers.location as string).searchParams.get('state')!;
    const loginCookie = setCookies(start.headers['set-cookie']).get('slipway_oidc_login')!;
    const res = await app.inject({
      url:
        '/api/v1/auth/oidc/callback?error=access_denied&error_description=End-User+aborted+interaction' +
        `&state=${state}&iss=${encodeURIComponent(issuer)}`,
      headers: { cookie: `slipway_oidc_login=${loginCookie}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe(
      'the provider refused the login: access_denied (End-User aborted interaction)',
    );
  });
});
