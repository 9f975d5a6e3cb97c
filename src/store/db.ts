/**
 * The store speaks one SQL dialect, PostgreSQL, through two drivers: PGlite (WASM Postgres in
 * process, the embedded default) and `pg` against a real server (DATABASE_URL). Everything
 * above this file sees only `Db`.
 */

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /** Run one parameterised statement ($1, $2...). Values are never interpolated into SQL. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly driver: 'pglite' | 'postgres';
  /** Run `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Close connections (PGlite: flush and close the data directory). Idempotent. */
  close(): Promise<void>;
}
