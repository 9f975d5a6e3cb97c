import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite } from '../../../test/support/store.js';
import type { Db } from '../db.js';
import { insertApproval, listApprovals } from './approvals.js';
import { insertSession } from './sessions.js';
import { disableUser, insertUser } from './users.js';

/**
 * Decisions made in a login session (the dashboard) count with the person's grants, not a token's:
 * a local user's grants now (none once disabled), a single sign-on session's own grants.
 */
describe('approvals decided in a login session', () => {
  let db: Db;
  const key = { project: 'harbor', service: 'api', version: '1.0.0', environment: 'production' };
  const approver = [{ role: 'approver' as const, environments: ['production'] }];
  const session = async (id: string, kind: 'local' | 'oidc', name: string) => {
    const at = new Date();
    await insertSession(db, {
      id,
      identity: { kind, subject: kind === 'local' ? name : `https://idp#${name}`, name, grants: approver, mfa: true },
      csrfSecret: 'x',
      createdAt: at,
      expiresAt: new Date(at.getTime() + 60_000),
      lastSeenAt: at,
    });
  };
  const decide = (id: string, name: string, byToken: string) =>
    insertApproval(db, {
      id,
      ...key,
      releaseDigest: 'd1',
      decision: 'approve',
      byName: name,
      byToken,
      at: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    });

  beforeAll(async () => {
    db = await freshPglite();
    await db.query(`insert into projects (name, config, digest) values ('harbor', '{}', 'x')`);
    await insertUser(db, { name: 'mara', passwordHash: 'unused', grants: approver });
    await insertUser(db, { name: 'olga', passwordHash: 'unused', grants: [{ role: 'viewer', environments: '*' }] });
    await session('a'.repeat(64), 'local', 'mara');
    await session('b'.repeat(64), 'oidc', 'sso-sam');
    await session('c'.repeat(64), 'local', 'olga');
    await decide('apv_1', 'mara', `session:${'a'.repeat(12)}`);
    await decide('apv_2', 'sso-sam', `session:${'b'.repeat(12)}`);
    await decide('apv_3', 'olga', `session:${'c'.repeat(12)}`);
    await decide('apv_4', 'ghost', 'session:dddddddddddd');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  const grantsOf = async () => Object.fromEntries((await listApprovals(db, key)).map((a) => [a.byName, a.tokenGrants]));

  it("counts a local user's grants now, an SSO session's own grants, and nothing for an unknown session", async () => {
    expect(await grantsOf()).toEqual({
      mara: approver,
      'sso-sam': approver,
      // olga's session said approver (say, before her grants were cut): her grants now are what count.
      olga: [{ role: 'viewer', environments: '*' }],
      ghost: null,
    });
  });

  it('stops counting a disabled user', async () => {
    await disableUser(db, 'mara');
    expect((await grantsOf()).mara).toBeNull();
  });
});
