import { createHmac, timingSafeEqual } from 'node:crypto';

/** The X-Hub-Signature-256 value GitHub sends for `body`: `sha256=` + hex HMAC-SHA256 with the webhook secret. */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Does `header` sign exactly these bytes with `secret`? Compared in constant time; a header of
 * another length (or form) is refused before the comparison, which needs equal lengths.
 */
export function verifyGithubSignature(secret: string, body: Buffer, header: string): boolean {
  const expected = Buffer.from(githubSignature(secret, body), 'utf8');
  const presented = Buffer.from(header.trim(), 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
