/**
 * Integrity checks after migrations: each is SQL returning one boolean (`select count(*) = 0 from
 * policies where vessel_id is null`); anything but a single true fails the release. They run in a
 * read-only transaction with a statement timeout, so a check can neither change data nor hang.
 */
import type pg from 'pg';
import { scrubCredentials } from '../../store/postgres-address.js';

export interface CheckFailure {
  /** 1-based, as the config lists them. */
  index: number;
  sql: string;
  problem: string;
}

export async function runIntegrityChecks(
  client: pg.Client,
  url: string,
  checks: readonly string[],
  timeoutMs: number,
): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  for (const [i, sql] of checks.entries()) {
    const fail = (problem: string) => failures.push({ index: i + 1, sql, problem });
    try {
      await client.query('begin read only');
      await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const result = await client.query({ text: sql, rowMode: 'array' });
      const rows = result.rows as unknown[][];
      if (rows.length !== 1 || rows[0]!.length !== 1)
        fail(
          `returned ${rows.length} row${rows.length === 1 ? '' : 's'} of ${result.fields.length} column(s); ` +
            'expected one boolean',
        );
      else if (rows[0]![0] !== true) fail(`returned ${JSON.stringify(rows[0]![0])}`);
    } catch (e) {
      fail(`failed: ${scrubCredentials((e as Error).message, url)}`);
    } finally {
      await client.query('rollback').catch(() => undefined);
    }
  }
  return failures;
}
