/**
 * `migrate plan --against DATABASE_URL`: run the pending migrations on the real database in
 * one transaction and roll it back, to see what the dry run on PGlite cannot: which locks each
 * statement really takes on this server, how long it holds them on this data, and how big the
 * tables are. Nothing is committed; statements that could not be rolled back are not run.
 */
import pg from 'pg';
import { parsePostgresUrl, scrubCredentials } from '../../store/postgres-address.js';
import { MigrationError } from '../errors.js';
import { loadParser, parseSql } from '../linter/parse.js';
import type { Migration, ParsedStatement } from '../types.js';
import {
  locksHeld,
  relationNames,
  tableSizes,
  type HeldLock,
  type RelationLock,
  type TableSize,
} from './against-queries.js';
import { AgainstSkips } from './against-skips.js';
import { formatStatementError, statementError, type StatementError } from './statement-error.js';
import { quotedTableName, tablesNamedBy } from './table-names.js';

export type { RelationLock, TableSize } from './against-queries.js';

export interface AgainstOptions {
  /** lock_timeout for the plan's transaction; default 2000 ms. */
  lockTimeoutMs?: number;
  /** statement_timeout for the plan's transaction; default 60000 ms. */
  statementTimeoutMs?: number;
}

export interface AgainstStatement {
  migration: string;
  file: string;
  /** 0-based position of the statement in its file. */
  index: number;
  line: number;
  col: number;
  text: string;
  ran: boolean;
  skippedBecause?: string;
  /** Relation locks the statement took that the transaction did not hold before it. */
  locks: RelationLock[];
  durationMs: number;
  /** `file:line:col: message [SQLSTATE …]` when the statement failed. */
  error?: string;
}

export interface AgainstReport {
  /** host:port/database, never credentials. */
  database: string;
  statements: AgainstStatement[];
  /** Existing tables the statements name or locked, with their size before the plan. */
  tables: TableSize[];
  /** What stopped the plan: a failed statement or a file that does not parse. */
  stoppedBy?: StatementError & { migration: string };
  /** Effects a rollback does not undo, when the plan has them. */
  notes: string[];
  rolledBack: true;
}

/**
 * Runs `pending` (ups, in order) against `url` in one transaction and rolls it back.
 * Example: `const report = await planAgainst(process.env.DATABASE_URL!, pending, { lockTimeoutMs: 2000 })`
 */
export async function planAgainst(
  url: string,
  pending: Migration[],
  options: AgainstOptions = {},
): Promise<AgainstReport> {
  const database = displayOf(url);
  const timeouts = {
    lockTimeoutMs: milliseconds(options.lockTimeoutMs ?? 2000, 'lockTimeoutMs'),
    statementTimeoutMs: milliseconds(options.statementTimeoutMs ?? 60_000, 'statementTimeoutMs'),
  };
  await loadParser();
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    application_name: 'slipway migrate plan',
  });
  // An idle client whose server goes away emits 'error'; unhandled, that would end the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new MigrationError(
      'unavailable',
      `cannot reach PostgreSQL at ${database} to plan against it: ${scrubCredentials(reasonOf(e), url)}`,
      { database },
      { cause: e },
    );
  }
  try {
    const plan = new AgainstRun(client, timeouts);
    try {
      await plan.run(pending);
    } finally {
      // Also when the connection broke: then the server has rolled back already.
      await client.query('ROLLBACK').catch(() => undefined);
    }
    const tables = await tableSizes(client, [...plan.lockedOids], plan.namedTables());
    return {
      database,
      statements: plan.statements,
      tables,
      ...(plan.stoppedBy ? { stoppedBy: plan.stoppedBy } : {}),
      notes: plan.notes(),
      rolledBack: true,
    };
  } catch (e) {
    if (!lostConnection(e)) throw e;
    throw new MigrationError(
      'unavailable',
      `lost the connection to PostgreSQL at ${database} while planning against it (nothing was committed): ` +
        `${scrubCredentials(reasonOf(e), url)}`,
      { database },
      { cause: e },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

class AgainstRun {
  readonly statements: AgainstStatement[] = [];
  readonly lockedOids = new Set<string>();
  stoppedBy: (StatementError & { migration: string }) | undefined;
  private readonly named = new Set<string>();
  private readonly skips = new AgainstSkips();
  private consumesSequences = false;
  private readonly lockTimeoutMs: number;
  private readonly statementTimeoutMs: number;

  constructor(
    private readonly client: pg.Client,
    timeouts: Required<AgainstOptions>,
  ) {
    this.lockTimeoutMs = timeouts.lockTimeoutMs;
    this.statementTimeoutMs = timeouts.statementTimeoutMs;
  }

  async run(pending: Migration[]): Promise<void> {
    await this.client.query('BEGIN');
    await this.client.query(`SET LOCAL lock_timeout = '${this.lockTimeoutMs}ms'`);
    await this.client.query(`SET LOCAL statement_timeout = '${this.statementTimeoutMs}ms'`);
    const names = await relationNames(this.client);
    let held = await locksHeld(this.client, names);
    for (const migration of pending) {
      const parsed = parseSql(migration.up);
      if (!parsed.ok) {
        this.stoppedBy ??= { migration: migration.id, file: migration.upPath, ...parsed.error };
        continue;
      }
      for (const statement of parsed.statements) {
        for (const table of tablesNamedBy(statement)) this.named.add(quotedTableName(table));
        if (this.stoppedBy) {
          this.statements.push(
            this.entry(migration, statement, { ran: false, skippedBecause: 'an earlier statement failed' }),
          );
          continue;
        }
        const skippedBecause = this.skips.reasonFor(statement, migration.upPath);
        if (skippedBecause) {
          this.statements.push(this.entry(migration, statement, { ran: false, skippedBecause }));
          continue;
        }
        held = await this.runOne(migration, statement, held, names);
      }
    }
  }

  private async runOne(
    migration: Migration,
    statement: ParsedStatement,
    before: Map<string, HeldLock>,
    names: Map<string, string | null>,
  ): Promise<Map<string, HeldLock>> {
    if (statement.kind === 'InsertStmt' || /\bnextval\s*\(/i.test(statement.text)) this.consumesSequences = true;
    const started = performance.now();
    try {
      await this.client.query(statement.text);
    } catch (e) {
      const durationMs = performance.now() - started;
      const error = statementError(e, migration.upPath, statement);
      error.message += this.explain(error.code);
      this.stoppedBy = { migration: migration.id, ...error };
      this.statements.push(
        this.entry(migration, statement, { ran: true, durationMs, error: formatStatementError(error) }),
      );
      return before;
    }
    const durationMs = performance.now() - started;
    const after = await locksHeld(this.client, names);
    const locks: RelationLock[] = [];
    for (const [key, lock] of after) {
      this.lockedOids.add(lock.oid);
      if (!before.has(key)) locks.push({ relation: lock.relation, mode: lock.mode });
    }
    locks.sort((a, b) => a.relation.localeCompare(b.relation) || a.mode.localeCompare(b.mode));
    this.statements.push(this.entry(migration, statement, { ran: true, durationMs, locks }));
    return after;
  }

  // What the two timeouts mean for the deployment, not only for this plan.
  private explain(code: string | undefined): string {
    if (code === '55P03')
      return (
        ` — waited more than lock_timeout (${this.lockTimeoutMs} ms): another session holds a conflicting lock ` +
        `on this table; at deploy time the statement would queue behind it`
      );
    if (code === '57014')
      return (
        ` — ran longer than statement_timeout (${this.statementTimeoutMs} ms) on this database's data, holding ` +
        `its locks all that time`
      );
    const skipped = this.statements.filter((s) => !s.ran);
    if (skipped.length > 0) {
      const last = skipped[skipped.length - 1]!;
      return ` (it may depend on a statement that was not run: ${last.file}:${last.line})`;
    }
    return '';
  }

  private entry(
    migration: Migration,
    statement: ParsedStatement,
    result: Partial<AgainstStatement> & { ran: boolean },
  ): AgainstStatement {
    return {
      migration: migration.id,
      file: migration.upPath,
      index: statement.index,
      line: statement.line,
      col: statement.col,
      text: statement.text,
      locks: [],
      durationMs: 0,
      ...result,
    };
  }

  namedTables(): string[] {
    return [...this.named];
  }

  notes(): string[] {
    return this.consumesSequences
      ? [
          'sequence values used by these statements (nextval, serial and identity columns) stay used after the ' +
            'rollback: PostgreSQL sequences are not transactional',
        ]
      : [];
  }
}

function displayOf(url: string): string {
  try {
    return parsePostgresUrl(url).display;
  } catch (e) {
    throw new MigrationError('invalid_input', `--against: ${(e as Error).message}`, undefined, { cause: e });
  }
}

function milliseconds(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new MigrationError('invalid_input', `${name} must be a whole number of milliseconds ≥ 0 (got ${value})`);
  return value;
}

// Network errors carry errno codes; the server's own disconnects are SQLSTATE classes 08 and 57P.
function lostConnection(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.code === 'string') return /^(E[A-Z]+|08...|57P..)$/.test(err.code);
  return (
    typeof err?.message === 'string' &&
    /Connection terminated|Client has encountered a connection error|not queryable/i.test(err.message)
  );
}

function reasonOf(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' && err.message ? err.message : String(e);
  return typeof err?.code === 'string' && !message.includes(err.code) ? `${message} (${err.code})` : message;
}
