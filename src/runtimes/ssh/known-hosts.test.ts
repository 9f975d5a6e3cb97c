import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, KnownHosts } from './known-hosts.js';

describe('KnownHosts', () => {
  it('pins the first key a host shows, accepts it again, refuses another, across reopen', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'known-')), 'ssh', 'known-hosts.json');
    const a = Buffer.from('host key a');
    const b = Buffer.from('host key b');
    expect(new KnownHosts(file).check('127.0.0.2:22', a)).toEqual({ ok: true, firstUse: true });
    const reopened = new KnownHosts(file);
    expect(reopened.check('127.0.0.2:22', a)).toEqual({ ok: true, firstUse: false });
    expect(reopened.check('127.0.0.2:22', b)).toEqual({ ok: false, pinned: fingerprint(a), presented: fingerprint(b) });
    expect(reopened.check('127.0.0.3:22', b)).toEqual({ ok: true, firstUse: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))['127.0.0.2:22'].fingerprint).toBe(fingerprint(a));
  });

  it('prints fingerprints as OpenSSH does', () => {
    // ssh-keygen -lf prints SHA256:<base64 of sha256(raw key blob)> without "=" padding.
    expect(fingerprint(Buffer.from('x'))).toBe('SHA256:LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE');
  });
});
