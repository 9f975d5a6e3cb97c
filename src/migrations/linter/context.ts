/**
 * What the linter knows while it walks one file: objects created earlier in the file (rules
 * relax for them: an index on a table created in the same file blocks nobody), the transaction
 * the current statement runs in, and whether lock_timeout is set.
 */
import type { RangeVar } from 'libpg-query';
import type { LockMode, ParsedStatement } from '../types.js';
import type { RelationLock } from './locks.js';
import { type ColumnType, relationDisplay, relationKey } from './nodes.js';

/**
 * What earlier migrations left in the database, as far as rules need it. lintSql reads and
 * extends it, so passing the same object while linting migrations in order judges a type change
 * against the declared type and a SET NOT NULL against the checks validated before it.
 */
export interface KnownSchema {
  /** `table.column` (schema-qualified outside public) → type. */
  columnTypes: Map<string, ColumnType>;
  /** `table/constraint` → the CHECK (column IS NOT NULL) it is, and whether it is validated. */
  notNullChecks: Map<string, NotNullCheck>;
}

/** A CHECK (column IS NOT NULL): once validated, SET NOT NULL on the column skips its scan. */
export interface NotNullCheck {
  /** `table.column`. */
  column: string;
  validated: boolean;
}

/** A new, empty KnownSchema. */
export function emptySchema(): KnownSchema {
  return { columnTypes: new Map(), notNullChecks: new Map() };
}

/** The table a statement acts on. */
export interface TableRef {
  key: string;
  display: string;
  /** Created earlier in this file. */
  isNew: boolean;
}

/** A lock held until the current transaction ends, and the statement that took it. */
export interface HeldLock {
  relation: string;
  mode: LockMode;
  line: number;
  kind: string;
}

export interface ContextOptions {
  /** Slipway's runner sets lock_timeout itself. */
  lockTimeoutSet: boolean;
  /** Whether the runner wraps the whole file in one transaction (it does unless CONCURRENTLY). */
  wholeFileTransaction: boolean;
  schema?: KnownSchema | undefined;
}

export class LintContext {
  readonly newRelations = new Set<string>();
  readonly newSchemas = new Set<string>();
  readonly newTypes = new Set<string>();
  /** `table.column` added in this file to an existing table. */
  readonly newColumns = new Set<string>();
  readonly columnTypes: Map<string, ColumnType>;
  /** CHECK (column IS NOT NULL) constraints known from this file and the earlier ones. */
  readonly notNullChecks: Map<string, NotNullCheck>;
  /** Constraints validated in this file whose definition the linter never saw: table → names. */
  readonly validatedElsewhere = new Map<string, string[]>();
  /** SET lock_timeout (session) and SET LOCAL lock_timeout (until the transaction ends). */
  lockTimeoutSession = false;
  lockTimeoutLocal = false;
  /** The missing-lock_timeout finding is reported once per file. */
  lockTimeoutReported = false;
  /** Inside an explicit BEGIN … COMMIT of the file. */
  inTransactionBlock = false;
  /** Write-blocking locks on existing relations held by the current transaction. */
  readonly heldLocks = new Map<string, HeldLock>();
  /** The statement being checked and the locks it takes. */
  statement!: ParsedStatement;
  locks: RelationLock[] = [];

  constructor(readonly options: ContextOptions) {
    this.columnTypes = options.schema?.columnTypes ?? new Map();
    this.notNullChecks = options.schema?.notNullChecks ?? new Map();
  }

  /** A validated CHECK (column IS NOT NULL) exists on `table.column`. */
  hasValidatedNotNull(column: string): boolean {
    for (const check of this.notNullChecks.values()) if (check.validated && check.column === column) return true;
    return false;
  }

  /** The statement runs inside a transaction (explicit, or the runner's whole-file one). */
  get inTransaction(): boolean {
    return this.inTransactionBlock || this.options.wholeFileTransaction;
  }

  get lockTimeoutActive(): boolean {
    return this.options.lockTimeoutSet || this.lockTimeoutSession || (this.lockTimeoutLocal && this.inTransaction);
  }

  table(relation: RangeVar | undefined): TableRef {
    const key = relationKey(relation);
    return { key, display: relationDisplay(relation), isNew: this.newRelations.has(key) };
  }

  isNewRelation(key: string): boolean {
    return this.newRelations.has(key) || this.newSchemas.has(key);
  }

  /** The column did not exist before this file: its table is new or it was added here. */
  isNewColumn(table: TableRef, column: string): boolean {
    return table.isNew || this.newColumns.has(`${table.key}.${column}`);
  }
}
