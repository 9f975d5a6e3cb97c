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
