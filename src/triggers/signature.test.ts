import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { githubSignature, verifyGithubSignature } from './signature.js';

describe('GitHub signatures', () => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');

  it('is sha256= and the hex HMAC-SHA256 of the exact bytes', () => {
    expect(githubSignature('s3cret', body)).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    // The example from GitHub's "Validating webhook deliveries" page.
    expect(githubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('verifies the right secret and bytes only', () => {
    const header = githubSignature('s3cret', body);
    expect(verifyGithubSignature('s3cret', body, header)).toBe(true);
    expect(verifyGithubSignature('other', body, header)).toBe(false);
    expect(verifyGithubSignature('s3cret', Buffer.from(`${body.toString()} `), header)).toBe(false);
  });

  it('refuses headers of another form or length without throwing', () => {
    expect(verifyGithubSignature('s3cret', body, 'sha1=abc')).toBe(false);
    expect(verifyGithubSignature('s3cret', body, '')).toBe(false);
    expect(verifyGithubSignature('s3cret', body, githubSignature('s3cret', body).toUpperCase())).toBe(false);
  });
});
