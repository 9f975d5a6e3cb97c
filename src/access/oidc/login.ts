import * as client from 'openid-client';
import type { SsoConfig } from '../../config/model.js';
import { SlipwayError } from '../../shared/errors.js';
import { unstorableIn } from '../../shared/storable-text.js';
import type { SessionIdentity } from '../identity.js';
import { grantsForGroups, groupsOf } from './group-grants.js';
import type { PendingLogin } from './pending-cookie.js';

export interface OidcOptions {
  /** Where the client secret is read (`sso.clientSecret: env:NAME`); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The clock ID token times (exp, iat) are checked against; default Date.now. */
  now?: () => number;
}

/** What a started login needs to finish: the URL to send the browser to, and what to remember. */
export interface StartedLogin extends PendingLogin {
  authorizationUrl: string;
}

const secondFactors = ['mfa', 'otp', 'hwk'];

/** The client secret `sso.clientSecret: env:NAME` names; 503 when the variable is unset. */
export function clientSecretOf(sso: SsoConfig, env: NodeJS.ProcessEnv = process.env): string {
  const name = sso.clientSecret.replace(/^env:/, '');
  const value = env[name];
  if (!value)
    throw new SlipwayError(
      'unavailable',
      `single sign-on is not usable: sso.clientSecret names environment variable ${name}, which is not set for the ` +
        `coordinator`,
    );
  return value;
}

/** http:// is allowed only to the machine itself (config validation already refuses others). */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * The provider's configuration, read from its discovery document at each login (a login is
 * rare, and a rotated signing key or endpoint is then picked up without a restart). ID token
 * signatures are checked against the provider's JWKS: openid-client skips that by default for
 * tokens fetched over TLS, and enableNonRepudiationChecks turns it on (iss, aud, exp, iat and
 * nonce are always checked).
 */
async function providerConfig(sso: SsoConfig, options: OidcOptions): Promise<client.Configuration> {
  const issuer = new URL(sso.issuer);
  const secret = clientSecretOf(sso, options.env);
  const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
  try {
    // openid-client reads the time itself; an injected clock reaches it as a skew in seconds.
    const skew = options.now ? Math.round((options.now() - Date.now()) / 1000) : 0;
    const config = await client.discovery(
      issuer,
      sso.clientId,
      { client_secret: secret, [client.clockSkew]: skew },
      client.ClientSecretBasic(secret),
      {
        execute: insecure ? [client.allowInsecureRequests] : [],
      },
    );
    client.enableNonRepudiationChecks(config);
    return config;
  } catch (err) {
    throw new SlipwayError(
      'unavailable',
      `cannot read the OpenID Connect discovery document of ${sso.issuer}: ${messageOf(err)}`,
      undefined,
      { cause: err },
    );
  }
}

/**
 * Start a login: fresh state, nonce and PKCE verifier (S256), and the provider URL to send the
 * browser to. The caller keeps state, nonce and codeVerifier server-side (see pending-cookie.ts).
 */
export async function beginLogin(sso: SsoConfig, options: OidcOptions = {}): Promise<StartedLogin> {
  const config = await providerConfig(sso, options);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: sso.redirectUri,
    scope: sso.scopes.join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { authorizationUrl: url.href, state, nonce, codeVerifier };
}

/**
 * Finish a login: exchange the code (with the PKCE verifier), validate the ID token (signature
 * via JWKS, iss, aud, exp, nonce) and map the person's groups to grants. `currentUrl` is the
 * callback URL the provider redirected to, query included. Refusals by the provider or failed
 * checks are 401 naming the reason; someone in no mapped group is 403.
 */
export async function completeLogin(
  sso: SsoConfig,
  currentUrl: URL,
  pending: PendingLogin,
  options: OidcOptions = {},
): Promise<SessionIdentity & { kind: 'oidc' }> {
  const returned = currentUrl.searchParams.get('state');
  if (returned !== pending.state) {
    throw new SlipwayError(
      'unauthorized',
      returned === null
        ? 'the callback carries no state parameter'
        : 'state mismatch: this callback does not belong to the login this browser started (start again)',
    );
  }
  const config = await providerConfig(sso, options);
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = { ...tokens.claims()! };
    // Many providers put profile claims and groups in userinfo only (when an access token is issued).
    const missing =
      claims[sso.groupsClaim] === undefined || (claims.email === undefined && claims.preferred_username === undefined);
    if (missing && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub as string);
      claims = { ...info, ...claims };
    }
  } catch (err) {
    throw refusal(err);
  }
  const sub = claims.sub as string;
  const grants = grantsForGroups(sso, groupsOf(claims, sso.groupsClaim));
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  const nameClaim = (['email', 'preferred_username'] as const).find((c) => typeof claims[c] === 'string' && claims[c]);
  const name = nameClaim ? (claims[nameClaim] as string) : sub;
  // The subject and name are kept with the session and in the audit log: text the store cannot hold
  // (a NUL, an unpaired surrogate) is refused here with the claim's name, not by the database with a 500.
  for (const [claim, value] of [
    ['sub', sub],
    [nameClaim ?? 'sub', name],
  ] as const) {
    const why = unstorableIn(value);
    if (why)
      throw new SlipwayError(
        'unauthorized',
        `the provider's ${claim} claim ${why}, which Slipway cannot store: ask its administrator to correct it`,
      );
  }
  return {
    kind: 'oidc',
    subject: `${sso.issuer}#${sub}`,
    name,
    grants,
    mfa: amr.some((m) => secondFactors.includes(m as string)),
  };
}

function messageOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const base = err instanceof Error ? err.message : String(err);
  return cause instanceof Error && !base.includes(cause.message) ? `${base} (${cause.message})` : base;
}

/** What went wrong finishing a login, as the caller should hear it. */
function refusal(err: unknown): SlipwayError {
  if (err instanceof SlipwayError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    return new SlipwayError(
      'unauthorized',
      `the provider refused the login: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`,
      undefined,
      { cause: err },
    );
  }
  if (err instanceof client.ResponseBodyError) {
    // invalid_grant: a code is good once and for a short time, so a replayed or stale callback lands here.
    return new SlipwayError(
      'unauthorized',
      `the provider refused the authorization code: ` +
        `${err.error}${err.error_description ? ` (${err.error_description})` : ''}; a code works once, start the ` +
        `login again`,
      undefined,
      { cause: err },
    );
  }
  if (err instanceof client.ClientError) {
    // Failed checks of the callback or the ID token: state, nonce, iss, aud, exp, signature.
    return new SlipwayError('unauthorized', `login rejected: ${messageOf(err)}`, undefined, { cause: err });
  }
  return new SlipwayError('unavailable', `cannot finish the login with the provider: ${messageOf(err)}`, undefined, {
    cause: err,
  });
}
