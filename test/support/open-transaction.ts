/**
 * A transaction left open on its own connection to the test PostgreSQL server, to write events the way concurrent
 * writers do: ids are taken when a row is inserted, so a transaction that inserts first and commits last stores a
 * lower id after a higher one is already visible.
 */
import pg from 'pg';

export interface OpenTransaction {
  /** Insert an event (optionally with its `at`) and return its id; it is visible to others only after commit. */
  insertEvent(e: { kind: string; data: Record<string, unknown>; environment?: string; at?: Date }): Promise<number>;
  commit(): Promise<void>;
  /** Roll back if still open and disconnect (always call it, even when the test failed). */
  close(): Promise<void>;
}

export async function openTransaction(url: string): Promise<OpenTransaction> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  let open = true;
  return {
    async insertEvent(e) {
      const { rows } = await client.query<{ id: string }>(
        `insert into events (project, service, environment, kind, message, data, at)
         values ('harbor', 'api', $1, $2, $2, $3, coalesce($4, now())) returning id`,
        [e.environment ?? 'staging', e.kind, JSON.stringify(e.data), e.at ?? null],
      );
      return Number(rows[0]!.id);
    },
    async commit() {
      await client.query('commit');
      open = false;
    },
    async close() {
      if (open) await client.query('rollback').catch(() => undefined);
      open = false;
      await client.end().catch(() => undefined);
    },
  };
}
