import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A login in progress (state, nonce, PKCE verifier) travels in an encrypted, authenticated
 * httpOnly cookie rather than a table: no store migration, nothing to clean up, and any
 * coordinator sharing the client secret can finish a login another one started. AES-256-GCM
 * authenticates as well as hides, so a cookie changed by one bit does not open. The key is
 * derived from the OIDC client secret (HKDF), which only the coordinator knows; rotating that
 * secret only cancels logins that are in flight. Replays are stopped by the provider (a code
 * works once) and by the cookie's expiry.
 */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The cookie's name; its path is /api/v1/auth/oidc, so no other route ever sees it. */
export const pendingCookieName = 'slipway_oidc_login';
export const pendingCookiePath = '/api/v1/auth/oidc';
/** Long enough to type a password and a second factor at the provider, short enough to be useless later. */
export const pendingLoginTtlMs = 10 * 60_000;

const info = Buffer.from('slipway oidc pending login v1');

function keyFor(clientSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(clientSecret, 'utf8'), Buffer.alloc(0), info, 32));
}

/** Encrypt the pending login for the cookie: base64url(iv | ciphertext | tag). */
export function sealPendingLogin(pending: PendingLogin, clientSecret: string, now = Date.now()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(clientSecret), iv);
  cipher.setAAD(info);
  const body = JSON.stringify({
    s: pending.state,
    n: pending.nonce,
    v: pending.codeVerifier,
    e: now + pendingLoginTtlMs,
  });
  const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The pending login in a cookie value, or why it cannot be used (tampered, another key, expired). */
export function openPendingLogin(
  value: string,
  clientSecret: string,
  now = Date.now(),
): PendingLogin | { refused: string } {
  const raw = Buffer.from(value, 'base64url');
  if (raw.length < 12 + 16 + 1) return { refused: 'the login cookie is malformed' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(clientSecret), raw.subarray(0, 12));
    decipher.setAAD(info);
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const body = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(body) as { s?: unknown; n?: unknown; v?: unknown; e?: unknown };
    if (
      typeof parsed.s !== 'string' ||
      typeof parsed.n !== 'string' ||
      typeof parsed.v !== 'string' ||
      typeof parsed.e !== 'number'
    ) {
      return { refused: 'the login cookie is malformed' };
    }
    if (parsed.e <= now)
      return { refused: `the login was started more than ${pendingLoginTtlMs / 60_000} minutes ago` };
    return { state: parsed.s, nonce: parsed.n, codeVerifier: parsed.v };
  } catch {
    return { refused: 'the login cookie was altered or sealed under another client secret' };
  }
}

/** The pending login cookie's attributes (maxAgeMs 0 clears it); Secure when the redirect URI is https. */
export function pendingCookieOptions(options: { secure: boolean; maxAgeMs: number }) {
  return {
    path: pendingCookiePath,
    maxAge: Math.floor(options.maxAgeMs / 1000),
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level navigation from another site.
    sameSite: 'lax',
    secure: options.secure,
  } as const;
}
