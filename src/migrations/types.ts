/**
 * Vocabulary of the migrations module: a migration on disk, the class of a statement, a
 * linter finding. Kept in one small file so linter/, planner/ and runner/ agree on shapes.
 */

/** How a statement affects the live releases and the database while it runs. */
export type StatementClass = 'safe' | 'backward-compatible' | 'breaking' | 'locking' | 'data-loss';

/** Classes that stop `migrate lint` (exit non-zero) and a deployment unless explicitly allowed. */
export const blockingClasses: ReadonlySet<StatementClass> = new Set(['breaking', 'locking', 'data-loss']);

/** Severity order, for "the worst class of a statement / migration". */
export const classRank: Record<StatementClass, number> = {
  safe: 0,
  'backward-compatible': 1,
  locking: 2,
  breaking: 3,
  'data-loss': 4,
};

/** PostgreSQL table-level lock modes (docs: "Explicit Locking", table 13.2). */
export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

/** Expand runs before new code starts; contract only once no live release needs the old schema. */
export type MigrationPhase = 'expand' | 'contract';

/** `-- slipway: allow RULE because REASON` just above a statement. */
export interface AllowDirective {
  rule: string;
  reason: string;
  line: number;
}

/** One migration: `NNNN_name.up.sql` and its optional `NNNN_name.down.sql`. */
export interface Migration {
  version: number;
  /** `0003_add_vessel_flag` — the file stem without .up.sql / .down.sql. */
  id: string;
  name: string;
  upPath: string;
  downPath: string | null;
  up: string;
  down: string | null;
  /** sha256 (hex) of the up script: what the history table records. */
  checksum: string;
  phase: MigrationPhase | null;
  /** Declared with `-- slipway: irreversible`; only then may the down script be absent. */
  irreversible: boolean;
  /**
   * Contract only: the first release that no longer needs the old schema
   * (`-- slipway: phase=contract after=2.0.0`). Live instances of older releases block it.
   */
  after: string | null;
}

/** A parsed statement with where it starts in its file. */
export interface ParsedStatement {
  index: number;
  /** The parse-tree node type, e.g. `AlterTableStmt`. */
  kind: string;
  /** The node itself (libpg-query JSON, PostgreSQL 15). */
  node: Record<string, unknown>;
  /** The statement's text without the trailing semicolon. */
  text: string;
  /** 1-based line and column of the statement's first token. */
  line: number;
  col: number;
}

/** Where a finding or error points: `file:line:col`. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One thing the linter says about one statement. */
export interface LintFinding extends SourcePosition {
  rule: string;
  class: StatementClass;
  /** The strongest table lock the statement takes, when it matters. */
  lock: LockMode | null;
  message: string;
  /** What to write instead (the expand/contract recipe for breaking changes). */
  safeAlternative: string;
  /** Hygiene findings never block. */
  level: 'error' | 'warning';
  statementIndex: number;
  /** Set when a `-- slipway: allow RULE because …` directive covers this finding. */
  allowedBecause: string | null;
}

/** The linter's view of one statement. */
export interface StatementReport extends SourcePosition {
  index: number;
  kind: string;
  text: string;
  class: StatementClass;
  lock: LockMode | null;
  findings: LintFinding[];
}

/** The linter's view of one SQL file. */
export interface FileReport {
  file: string;
  statements: StatementReport[];
  /** Parser error (then `statements` is empty). */
  parseError: (SourcePosition & { message: string }) | null;
}
