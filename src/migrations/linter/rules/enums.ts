/**
 * Enum types. Adding a value is backward-compatible; renaming one breaks every release that
 * still writes or compares the old label, and PostgreSQL cannot drop a value afterwards. A value
 * added without BEFORE/AFTER sorts last, which changes what `<`, `>` and ORDER BY mean for it.
 */
import type { AlterEnumStmt } from 'libpg-query';
import type { LintContext } from '../context.js';
import { keyOfNames, namesOf } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const renameEnumValue = defineRule(
  'rename-enum-value',
  'breaking',
  'Renaming an enum value breaks releases that still use the old label.',
);

export const enumValueWithoutPosition = defineRule(
  'enum-value-without-position',
  'safe',
  'ALTER TYPE … ADD VALUE without BEFORE/AFTER sorts the new value last.',
);

function checkAddValue(node: AlterEnumStmt, hits: Hit[]): void {
  if (node.newValNeighbor !== undefined) return;
  const type = namesOf(node.typeName).join('.');
  hits.push({
    rule: enumValueWithoutPosition,
    message:
      `'${node.newVal}' is added to enum ${type} without BEFORE/AFTER, so it sorts after every existing value: ` +
      `comparisons (status < 'done') and ORDER BY on ${type} treat it as the last one`,
    safeAlternative:
      `Say where it belongs: ALTER TYPE ${type} ADD VALUE '${node.newVal}' BEFORE '…' (or AFTER '…'); if the ` +
      `order means nothing for this type, add it last and ignore this warning.`,
  });
}

function checkAlterEnum(node: AlterEnumStmt, ctx: LintContext, hits: Hit[]): void {
  if (node.oldVal === undefined) {
    if (node.newVal !== undefined) checkAddValue(node, hits);
    return;
  }
  const parts = namesOf(node.typeName);
  if (ctx.newTypes.has(keyOfNames(parts))) return;
  const type = parts.join('.');
  hits.push({
    rule: renameEnumValue,
    message:
      `enum ${type} value '${node.oldVal}' is renamed to '${node.newVal}': releases still running write and ` +
      `compare '${node.oldVal}' and fail`,
    safeAlternative:
      `1. expand: ALTER TYPE ${type} ADD VALUE '${node.newVal}' (committed before use); deploy code that accepts ` +
      `both labels and writes '${node.newVal}'; ` +
      `backfill rows from '${node.oldVal}' to '${node.newVal}' in batches; 2. contract: once no live release writes ` +
      `'${node.oldVal}', stop accepting it ` +
      `(enum values cannot be dropped: leave it unused, or migrate to a new type or a text column with a CHECK).`,
  });
}

export const enumRules: RuleModule = {
  rules: [renameEnumValue, enumValueWithoutPosition],
  statements: { AlterEnumStmt: checkAlterEnum },
};
