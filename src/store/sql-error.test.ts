import { expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/drivers.js';
import { SqlError } from './sql-errors.js';

/** A failed statement never carries its parameters: a logged store error cannot leak a hash or a secret. */
describeEachDriver('store errors', (getDb) => {
  it('an SQL error names the SQLSTATE and the statement, not the parameters', async () => {
    const secret = 'sha256-of-a-token-4b1d9c';
    const failure = await getDb()
      .query('select $1::text as secret, $2::text as bad', [secret, 'a\u0000b'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(SqlError);
    expect(failure).toMatchObject({ code: '22021', statement: 'select $1::text as secret, $2::text as bad' });
    // What a logger would write: every own property and the message.
    const serialized = JSON.stringify({ ...(failure as object), message: (failure as Error).message });
    expect(serialized).not.toContain(secret);
    expect(serialized).not.toMatch(/"params"|"detail"/);
  });

  it("a parameter the server quotes in its message (a failed conversion) is left out of the SqlError's", async () => {
    const db = getDb();
    const cases: [string, string, string][] = [
      ['select $1::int', 'sha256-of-a-token-77e0c1', '22P02'],
      ['select $1::uuid', 'argon2id-hash-5a1e', '22P02'],
      ['select $1::int', '3000000000', '22003'],
      ['select $1::timestamptz', '0000-06-01', '22008'],
      ['select $1::timestamptz', '2026-01-01 secret-7c2f', '22023'],
      ['select $1::text::date', '2026-13-45', '22008'],
    ];
    for (const [sql, param, code] of cases) {
      const failure = await db.query(sql, [param]).catch((e: unknown) => e);
      expect(failure, sql).toMatchObject({ code });
      const shown = JSON.stringify({ ...(failure as object), message: (failure as Error).message });
      expect(shown, sql).not.toContain(String(param));
      // The message still says what went wrong, with the value replaced.
      expect((failure as Error).message, sql).toMatch(/"…"/);
    }
  });

  it('a unique violation keeps the constraint name callers test for, and not the duplicated value', async () => {
    const db = getDb();
    await db.query('create table t (v text constraint t_v_unique unique)');
    await db.query('insert into t values ($1)', ['duplicated-hash-9f3a']);
    const failure = await db.query('insert into t values ($1)', ['duplicated-hash-9f3a']).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: '23505', constraint: 't_v_unique' });
    expect(JSON.stringify({ ...(failure as object), message: (failure as Error).message })).not.toContain(
      'duplicated-hash-9f3a',
    );
  });
});
