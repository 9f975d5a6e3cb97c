/**
 * ALTER COLUMN … TYPE. A few changes only relabel the column (varchar(n)→varchar(m>n),
 * varchar→text, numeric(p,s)→numeric(p2>p,s), cidr→inet, …); every other change rewrites the
 * table under ACCESS EXCLUSIVE and hands old releases values of a type they did not expect.
 * timestamp→timestamptz is only free when the session time zone is UTC, so it counts as a rewrite.
 */
import type { AlterTableCmd } from 'libpg-query';
import type { LintContext, TableRef } from '../context.js';
import { type ColumnType, columnTypeOf, describeType, nodeAs } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import { type RuleModule, columnName } from './checks.js';

export const changeColumnType = defineRule(
  'change-column-type',
  'breaking',
  'Changing a column type rewrites the table under ACCESS EXCLUSIVE and breaks releases that read the old type.',
);

/** Types whose only modifier is a maximum length or precision that may grow for free. */
const growableModifier = new Set(['varchar', 'varbit', 'timestamp', 'timestamptz', 'time', 'timetz']);

/** True when PostgreSQL changes `from` to `to` without rewriting the table (catalog-only). */
export function isBinaryCompatible(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false;
  if (from.name === to.name && from.mods.join() === to.mods.join()) return true;
  if (from.array) return false;
  if (from.name === to.name && growableModifier.has(to.name)) {
    return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);
  }
  if (from.name === 'numeric' && to.name === 'numeric') {
    if (to.mods.length === 0) return true;
    return from.mods.length > 0 && to.mods[0]! >= from.mods[0]! && (to.mods[1] ?? 0) === (from.mods[1] ?? 0);
  }
  if (from.name === 'varchar' && to.name === 'text') return true;
  if (from.name === 'text' && to.name === 'varchar' && to.mods.length === 0) return true;
  return from.name === 'cidr' && to.name === 'inet';
}

const compatibleList = 'varchar(n)→varchar(m>n), varchar→text, numeric(p,s)→numeric(p2>p,s), cidr→inet';

function checkAlterType(cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]): void {
  if (table.isNew) return;
  const definition = nodeAs(cmd.def, 'ColumnDef');
  const target = columnTypeOf(definition?.typeName);
  const using = definition?.raw_default !== undefined;
  const current = ctx.columnTypes.get(`${table.key}.${cmd.name}`);
  if (current && !using && isBinaryCompatible(current, target)) return;
  const name = columnName(table, cmd.name);
  const message = current
    ? `${name} changes type from ${describeType(current)} to ${describeType(target)}: PostgreSQL rewrites ` +
      `${table.display} under ACCESS EXCLUSIVE, ` +
      `and releases that read ${cmd.name} as ${describeType(current)} may break`
    : `${name} changes type to ${describeType(target)}${using ? ' USING an expression' : ''}: unless the current ` +
      `type converts without a rewrite ` +
      `(${compatibleList}), PostgreSQL rewrites ${table.display} under ACCESS EXCLUSIVE and releases that read the ` +
      `old type may break ` +
      `(the current type is declared before this file, so the linter cannot tell)`;
  hits.push({
    rule: changeColumnType,
    message,
    safeAlternative:
      `1. expand: add a new column of type ${describeType(target)}, write both columns (trigger or application) and ` +
      `backfill in batches; ` +
      `2. deploy a release that reads the new column; 3. contract: drop ${cmd.name} once no live release reads it. ` +
      `Changes that only relabel (${compatibleList}) need none of this: if yours is one, allow it with -- slipway: ` +
      `allow change-column-type because ….`,
    lock: 'ACCESS EXCLUSIVE',
  });
}

export const columnTypeRules: RuleModule = {
  rules: [changeColumnType],
  alterTable: { AT_AlterColumnType: checkAlterType },
};
