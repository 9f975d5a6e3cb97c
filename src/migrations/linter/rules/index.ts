/**
 * Every rule module, merged into dispatch tables: a statement runs only the checks registered
 * for its kind (and, for ALTER TABLE, for each subcommand's type), plus the cheap every-statement
 * checks. One pass per statement, no scanning of the file per rule.
 */
import type { AlterTableStmt } from 'libpg-query';
import type { LintContext } from '../context.js';
import { nodeAs } from '../nodes.js';
import type { Hit, Rule } from '../rule.js';
import type { AlterTableCheck, RuleModule } from './checks.js';
import { columnTypeRules } from './column-types.js';
import { columnRules } from './columns.js';
import { constraintRules } from './constraints.js';
import { dataRules } from './data.js';
import { directiveRules } from './directives.js';
import { domainRules } from './domains.js';
import { duplicateRules } from './duplicates.js';
import { enumRules } from './enums.js';
import { hygieneRules } from './hygiene.js';
import { identifierRules } from './identifiers.js';
import { indexRules } from './indexes.js';
import { tableRules } from './tables.js';
import { transactionRules } from './transactions.js';

const modules: RuleModule[] = [
  columnRules,
  columnTypeRules,
  tableRules,
  indexRules,
  constraintRules,
  enumRules,
  domainRules,
  dataRules,
  transactionRules,
  hygieneRules,
  duplicateRules,
  identifierRules,
  directiveRules,
];

type AnyCheck = (node: never, ctx: LintContext, hits: Hit[]) => void;

const byKind = new Map<string, AnyCheck[]>();
const byAlterType = new Map<string, AlterTableCheck[]>();
const everyStatement: NonNullable<RuleModule['everyStatement']>[] = [];

for (const module of modules) {
  for (const [kind, check] of Object.entries(module.statements ?? {})) {
    byKind.set(kind, [...(byKind.get(kind) ?? []), check as AnyCheck]);
  }
  for (const [subtype, check] of Object.entries(module.alterTable ?? {})) {
    byAlterType.set(subtype, [...(byAlterType.get(subtype) ?? []), check]);
  }
  if (module.everyStatement) everyStatement.push(module.everyStatement);
}

/** Every rule the linter knows, by id. */
export const rulesById: ReadonlyMap<string, Rule> = new Map(
  modules.flatMap((module) => module.rules).map((rule) => [rule.id, rule]),
);

/** Runs every check that concerns ctx.statement and returns what they found. */
export function checkStatement(ctx: LintContext): Hit[] {
  const hits: Hit[] = [];
  const { kind, node } = ctx.statement;
  for (const check of byKind.get(kind) ?? []) check(node as never, ctx, hits);
  if (kind === 'AlterTableStmt') checkAlterTable(node as AlterTableStmt, ctx, hits);
  for (const check of everyStatement) check(ctx, hits);
  return hits;
}

function checkAlterTable(node: AlterTableStmt, ctx: LintContext, hits: Hit[]): void {
  // ALTER INDEX / VIEW / SEQUENCE share the node type; the column and constraint rules are about tables.
  if (node.objtype !== undefined && node.objtype !== 'OBJECT_TABLE') return;
  const table = ctx.table(node.relation);
  for (const item of node.cmds ?? []) {
    const cmd = nodeAs(item, 'AlterTableCmd');
    if (!cmd?.subtype) continue;
    for (const check of byAlterType.get(cmd.subtype) ?? []) check(cmd, table, ctx, hits);
  }
}
