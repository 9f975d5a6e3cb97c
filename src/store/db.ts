/**
 * The store speaks one SQL dialect, PostgreSQL, through two drivers: PGlite (WASM Postgres in
 * process, the embedded default) and `pg` against a real server (DATABASE_URL). Everything
 * above this file sees only `Db`.
 */

/** Rows of one statement; `rowCount` is the rows returned, or affected by insert/update/delete (0 for DDL). */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs statements: the `Db` itself, or the `tx` inside `Db.transaction`. */
export interface Queryable {
  /**
   * Run one parameterised statement ($1, $2...). Values are never interpolated into SQL.
   * Both drivers return the same values: int8 → number, numeric → string, json/jsonb → parsed
   * value, timestamptz → Date, bytea → Buffer. A JS array parameter is a PostgreSQL array; pass a
   * jsonb value as `jsonParam(value)` (params.ts) so arrays and strings mean the same on both.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Run a script of several statements without parameters (migrations, test setup). Never build it from input. */
  exec(script: string): Promise<void>;
}

/** The store connection the app holds; open it with `openStore` (open.ts). */
export interface Db extends Queryable {
  readonly driver: 'pglite' | 'postgres';
  /**
   * Run `fn` in one transaction; commits when it resolves, rolls back when it throws. Use only
   * `tx` inside `fn`: calling the Db itself there throws (on PGlite it would deadlock), and so
   * does using `tx` after `fn` settled. If a statement failed and `fn` swallowed the error, the
   * transaction is rolled back and this rejects instead of pretending it committed.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * This store for work nobody waits on (delivering notifications): on PGlite, which runs one statement at a time,
   * its statements give way to everyone else's (statement-lanes.ts); on PostgreSQL it is the store itself.
   */
  background(): Db;
  /**
   * This store for a running deployment's own bookkeeping (its steps' state and events), which nothing else may
   * slow: on PGlite its statements go before everyone else's (statement-lanes.ts); on PostgreSQL it is the store.
   */
  deployment(): Db;
  /**
   * A running deployment will write in `inMs` (a timer of the engine ends then): on PGlite in its thread the
   * background starts no statement just before then, so the step does not wait for one (statement-lanes.ts). Absent
   * where nothing waits that way (PostgreSQL runs statements side by side).
   */
  deploymentWriteDue?(inMs: number): void;
  /** Close connections (PGlite: flush and close the data directory). Idempotent. */
  close(): Promise<void>;
}
