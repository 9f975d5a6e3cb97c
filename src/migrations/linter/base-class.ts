/**
 * The class of a statement no rule objects to: `safe` when it only creates new objects, reads,
 * or acts on objects created earlier in the same file; `backward-compatible` when it changes
 * existing objects in a way old releases tolerate (ADD COLUMN nullable, NOT VALID constraints,
 * VALIDATE, CREATE INDEX CONCURRENTLY, data changes with a WHERE, …).
 */
import type { Node } from 'libpg-query';
import type { StatementClass } from '../types.js';
import type { LintContext } from './context.js';
import { keyOfNames, namesOf } from './nodes.js';

/** Kinds that create something new, read, or only set up the session. */
const additiveKinds = new Set([
  'CreateStmt',
  'CreateTableAsStmt',
  'CreateSeqStmt',
  'CreateEnumStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
  'CreateRangeStmt',
  'CreateSchemaStmt',
  'CreateExtensionStmt',
  'DefineStmt',
  'CommentStmt',
  'SelectStmt',
  'ExplainStmt',
  'VariableSetStmt',
  'VariableShowStmt',
  'TransactionStmt',
]);

/** Kinds that replace an existing object when `replace` is set (CREATE OR REPLACE). */
const replaceableKinds = new Set(['ViewStmt', 'CreateFunctionStmt']);

/** The class of ctx.statement before findings are counted. */
export function baseClassOf(ctx: LintContext): StatementClass {
  const { kind, node } = ctx.statement;
  if (additiveKinds.has(kind)) return 'safe';
  if (replaceableKinds.has(kind)) return node.replace === true ? 'backward-compatible' : 'safe';
  if (ctx.locks.length > 0 && ctx.locks.every((lock) => ctx.isNewRelation(lock.relation))) return 'safe';
  if (kind === 'AlterEnumStmt' || kind === 'AlterDomainStmt') {
    // Changing a type created earlier in the file touches nothing a release uses yet.
    if (ctx.newTypes.has(keyOfNames(namesOf(node.typeName as Node[] | undefined)))) return 'safe';
  }
  return 'backward-compatible';
}
