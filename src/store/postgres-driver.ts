import pg from 'pg';
import { leaseSessionName } from './lease-session.js';
import { silentLogger, type Logger } from '../shared/logging.js';
import type { Db, Queryable, QueryResult } from './db.js';
import { StoreError } from './errors.js';
import { parsePostgresUrl, scrubCredentials, type PostgresAddress } from './postgres-address.js';
import { translatePostgresError } from './postgres-errors.js';
import { toSqlError } from './sql-errors.js';
import { TransactionGuard, guardTransaction, swallowedFailureError } from './transaction-guard.js';
import { postgresTypes } from './type-parsers.js';

/** Pool tuning; the defaults suit one coordinator. */
export interface PostgresOptions {
  logger?: Logger;
  maxConnections?: number;
  /** How long to wait for a connection before reporting the server unreachable. */
  connectTimeoutMs?: number;
  /**
   * The coordinator these connections belong to: set as the session setting `slipway.holder` on every
   * connection, so the store's fence (schema 018) refuses its writes to the engine's tables unless it leads.
   */
  holder?: string;
}

/**
 * Open a connection pool to a PostgreSQL server and check that it answers. Unreachable
 * servers, bad logins and missing databases are StoreErrors naming host:port, never credentials.
 * Example: `const db = await openPostgres(process.env.DATABASE_URL!)`
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const address = parsePostgresUrl(url);
  const logger = options.logger ?? silentLogger;
  const pool = new pg.Pool({
    connectionString: url,
    types: postgresTypes,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // A coordinator's connections carry its holder id: a follower takes over once none is left (leader-lease.ts).
    application_name: options.holder ? leaseSessionName(options.holder) : 'slipway',
    ...(options.holder ? { options: `-c slipway.holder=${fenceHolder(options.holder)}` } : {}),
  });
  // Without a listener, an idle connection dropped by the server crashes the process.
  pool.on('error', (e) =>
    logger.warn(
      { database: address.display, reason: scrubCredentials(e.message, url) },
      'an idle PostgreSQL connection failed',
    ),
  );
  const db = new PostgresDb(pool, address, url);
  try {
    await db.query('select 1');
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/** The driver's statements: extended protocol always, so a multi-statement string fails as on PGlite. */
function queryOn(client: pg.Pool | pg.PoolClient, translate: (e: unknown) => unknown): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const config = { text: sql, values: params ?? [], queryMode: 'extended' } as pg.QueryConfig;
      try {
        const result = await client.query(config);
        return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
      } catch (e) {
        throw toSqlError(translate(e), sql);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await client.query(script); // no values: the simple protocol, which allows several statements
      } catch (e) {
        throw toSqlError(translate(e), script);
      }
    },
  };
}

class PostgresDb implements Db {
  readonly driver = 'postgres' as const;
  private readonly guard = new TransactionGuard();
  private readonly direct: Queryable;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly address: PostgresAddress,
    private readonly url: string,
  ) {
    this.direct = queryOn(pool, this.translate);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    this.assertUsable('query');
    return this.direct.query<T>(sql, params);
  }

  async exec(script: string): Promise<void> {
    this.assertUsable('exec');
    return this.direct.exec(script);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable('transaction');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.translate(e);
    }
    const raw = queryOn(client, this.translate);
    let broken: Error | undefined;
    try {
      await raw.exec('BEGIN');
      const result = await this.guard.run((scope) => fn(guardTransaction(scope, raw)));
      const commit = await client.query('COMMIT').catch((e: unknown) => Promise.reject(this.translate(e)));
      // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK instead of an error.
      if (commit.command === 'ROLLBACK') throw swallowedFailureError();
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw e;
    } finally {
      // Passing an error destroys the connection instead of returning it to the pool half-open.
      client.release(broken);
    }
  }

  /** The server runs statements side by side: nothing to give way to. */
  background(): Db {
    return this;
  }

  deployment(): Db {
    return this;
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private readonly translate = (e: unknown): unknown => translatePostgresError(e, this.address, this.url);

  private assertUsable(operation: string): void {
    if (this.closing) throw new StoreError('internal', `db.${operation}() was called after db.close()`);
    this.guard.assertOutside(operation);
  }
}

/** A holder id fit for a startup option: letters, digits, `-`, `_`, `.` and `:` only (no spaces or quotes). */
function fenceHolder(holder: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(holder))
    throw new StoreError('invalid_input', `holder "${holder}" has characters a session setting cannot carry`);
  return holder;
}
