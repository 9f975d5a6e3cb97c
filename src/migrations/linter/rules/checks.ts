/**
 * The shape of a rule module: the rules it declares and the checks it registers, by statement
 * kind and by ALTER TABLE subcommand, so each statement runs only the checks that concern it.
 */
import type {
  AlterDomainStmt,
  AlterEnumStmt,
  AlterTableStmt,
  AlterTableCmd,
  AlterTableType,
  ClusterStmt,
  CreateDomainStmt,
  CreateStmt,
  DeleteStmt,
  DropdbStmt,
  DropStmt,
  IndexStmt,
  InsertStmt,
  ReindexStmt,
  RenameStmt,
  TransactionStmt,
  TruncateStmt,
  UpdateStmt,
  VacuumStmt,
  ViewStmt,
} from 'libpg-query';
import type { LintContext, TableRef } from '../context.js';
import type { Hit, Rule } from '../rule.js';

/** Parse-tree node types of the statement kinds rules look at. */
export interface KindNodes {
  AlterDomainStmt: AlterDomainStmt;
  AlterEnumStmt: AlterEnumStmt;
  AlterTableStmt: AlterTableStmt;
  ClusterStmt: ClusterStmt;
  CreateDomainStmt: CreateDomainStmt;
  CreateStmt: CreateStmt;
  DeleteStmt: DeleteStmt;
  DropdbStmt: DropdbStmt;
  DropStmt: DropStmt;
  IndexStmt: IndexStmt;
  InsertStmt: InsertStmt;
  ReindexStmt: ReindexStmt;
  RenameStmt: RenameStmt;
  TransactionStmt: TransactionStmt;
  TruncateStmt: TruncateStmt;
  UpdateStmt: UpdateStmt;
  VacuumStmt: VacuumStmt;
  ViewStmt: ViewStmt;
}

export type StatementChecks = {
  [K in keyof KindNodes]?: (node: KindNodes[K], ctx: LintContext, hits: Hit[]) => void;
};

/** Checks of one ALTER TABLE subcommand; `table` is the altered table. */
export type AlterTableCheck = (cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]) => void;
export type AlterTableChecks = Partial<Record<AlterTableType, AlterTableCheck>>;

export interface RuleModule {
  rules: Rule[];
  statements?: StatementChecks;
  alterTable?: AlterTableChecks;
  /** Runs for every statement (transaction and lock_timeout rules); must stay cheap. */
  everyStatement?: (ctx: LintContext, hits: Hit[]) => void;
}

/** `column vessels.tonnage` — how messages name a column. */
export function columnName(table: TableRef, column: string | undefined): string {
  return `column ${table.display}.${column ?? '?'}`;
}
