import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import type { Db } from '../store/db.js';
import { findSession } from '../store/repos/sessions.js';
import { attemptLogin } from './login.js';
import { createUser, disableUser, setPassword } from './users.js';
import * as OTPAuth from 'otpauth';
import { enableTotp, setPendingTotp } from '../store/repos/users.js';
import { Keyring } from './secrets/keyring.js';
import { generateMasterKey } from './secrets/master-key.js';
import { newTotpSecret } from './totp.js';

/** attemptLogin against a real store, with the clock passed in. */
let db: Db;
const password = 'a password of some length';
beforeAll(async () => {
  db = await freshDb();
  await createUser(db, {
    name: 'alice',
    password,
    grants: [{ role: 'deployer', environments: ['staging'] }],
    createdBy: 'test',
  });
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const min = 60_000;
const attempt = (pw: string, now: number, source = '192.0.2.1') =>
  attemptLogin(db, undefined, { name: 'alice', password: pw, source }, now);

describe('login with brute-force protection', () => {
  it(
    'locks for 15 minutes after five failures, then 30 minutes after five more; a success forgets the ' + 'failures',
    async () => {
      const t0 = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 4; i++) expect((await attempt('wrong', t0 + i)).outcome).toBe('refused');
      expect(await attempt('wrong', t0 + 4)).toMatchObject({ outcome: 'locked', retryAfterSeconds: 900 });
      expect(await attempt(password, t0 + 4 + 14 * min)).toMatchObject({ outcome: 'locked', retryAfterSeconds: 60 });
      expect((await attempt(password, t0 + 4 + 15 * min, '192.0.2.2')).outcome).toBe('ok');

      // The name's counters were forgotten; the address 192.0.2.1 keeps its lock count, so its next lock is longer.
      const t1 = t0 + 20 * min;
      for (let i = 0; i < 4; i++) expect((await attempt('wrong', t1 + i)).outcome).toBe('refused');
      expect(await attempt('wrong', t1 + 4)).toMatchObject({ outcome: 'locked', retryAfterSeconds: 1800 });
      expect((await attempt(password, t1 + 4 + 30 * min, '192.0.2.3')).outcome).toBe('ok');
    },
  );

  it('the identity of a success is the local user with its grants, without a second factor', async () => {
    const result = await attempt(password, Date.UTC(2026, 1, 1), '192.0.2.9');
    expect(result).toEqual({
      outcome: 'ok',
      identity: {
        kind: 'local',
        subject: 'alice',
        name: 'alice',
        grants: [{ role: 'deployer', environments: ['staging'] }],
        mfa: false,
      },
    });
  });

  it('a TOTP code for a user without TOTP is a failure (the code cannot be right)', async () => {
    const result = await attemptLogin(
      db,
      undefined,
      { name: 'alice', password, totp: '123456', source: '192.0.2.10' },
      Date.UTC(2026, 1, 2),
    );
    expect(result).toEqual({ outcome: 'refused', message: 'invalid user name, password or TOTP code' });
  });
});

describe('users', () => {
  it(
    'a TOTP code is accepted once: the same code again (a replay within its window) is refused like a wrong ' + 'one',
    async () => {
      const keyring = new Keyring(generateMasterKey());
      await createUser(db, {
        name: 'erin',
        password,
        grants: [{ role: 'admin', environments: '*' }],
        createdBy: 'test',
      });
      const { uri, sealed } = newTotpSecret('erin', keyring);
      await setPendingTotp(db, 'erin', sealed);
      await enableTotp(db, 'erin');
      const now = Date.UTC(2026, 2, 3, 9, 0, 0);
      const code = (OTPAuth.URI.parse(uri) as OTPAuth.TOTP).generate({ timestamp: now });
      const login = (at: number, source: string) =>
        attemptLogin(db, keyring, { name: 'erin', password, totp: code, source }, at);
      expect(await login(now, '192.0.2.20')).toMatchObject({ outcome: 'ok', identity: { mfa: true } });
      expect(await login(now + 5_000, '192.0.2.21')).toEqual({
        outcome: 'refused',
        message: 'invalid user name, password or TOTP code',
      });
      // The next period's code works: only used steps are refused.
      const later = now + 30_000;
      const next = (OTPAuth.URI.parse(uri) as OTPAuth.TOTP).generate({ timestamp: later });
      expect(
        await attemptLogin(db, keyring, { name: 'erin', password, totp: next, source: '192.0.2.22' }, later),
      ).toMatchObject({ outcome: 'ok' });
    },
  );

  it('names are checked, taken names refused, and a new password or disabling ends the sessions', async () => {
    await expect(
      createUser(db, { name: 'Bad Name', password, grants: [{ role: 'viewer', environments: '*' }] }),
    ).rejects.toThrow(/user name "Bad Name" must be lowercase/);
    await expect(
      createUser(db, { name: 'alice', password, grants: [{ role: 'viewer', environments: '*' }] }),
    ).rejects.toThrow('user alice already exists');
    await createUser(db, { name: 'bob', password, grants: [{ role: 'viewer', environments: '*' }] });
    await db.query(
      `insert into sessions (id, subject, identity, csrf_secret, created_at, expires_at, last_seen_at) values ` +
        `('s1', 'bob', '{}'::jsonb, 'x', now(), now() + interval '1 hour', now())`,
    );
    await setPassword(db, 'bob', 'another long password');
    expect((await findSession(db, 's1'))?.revokedAt).toBeInstanceOf(Date);
    expect(
      (await attemptLogin(db, undefined, { name: 'bob', password: 'another long password', source: '192.0.2.20' }))
        .outcome,
    ).toBe('ok');
    expect((await disableUser(db, 'bob')).disabledAt).toBeInstanceOf(Date);
    expect(
      (await attemptLogin(db, undefined, { name: 'bob', password: 'another long password', source: '192.0.2.21' }))
        .outcome,
    ).toBe('refused');
    await expect(setPassword(db, 'nobody', 'another long password')).rejects.toThrow('no user nobody');
  });
});
