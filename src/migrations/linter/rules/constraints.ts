/**
 * Constraints on existing tables. Validating one scans the table under a lock that blocks writes
 * (ACCESS EXCLUSIVE for CHECK / UNIQUE / PRIMARY KEY / EXCLUDE, SHARE ROW EXCLUSIVE on both
 * tables for FOREIGN KEY). The online forms split the lock from the scan: NOT VALID then
 * VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE), or an index built CONCURRENTLY then USING INDEX.
 */
import type { AlterTableCmd, Constraint } from 'libpg-query';
import type { LintContext, TableRef } from '../context.js';
import { namesOf, nodeAs, relationDisplay } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import { type RuleModule, columnName } from './checks.js';
import { columnFacts } from './column-def.js';

export const addForeignKey = defineRule(
  'add-foreign-key-without-not-valid',
  'locking',
  'A FOREIGN KEY without NOT VALID scans the table while blocking writes to both tables.',
);
export const addCheck = defineRule(
  'add-check-without-not-valid',
  'locking',
  'A CHECK without NOT VALID scans the table under ACCESS EXCLUSIVE.',
);
export const setNotNull = defineRule(
  'set-not-null-without-check',
  'locking',
  'SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists.',
);
export const addUnique = defineRule(
  'add-unique-without-using-index',
  'locking',
  'ADD UNIQUE builds its index under ACCESS EXCLUSIVE.',
);
export const addPrimaryKey = defineRule(
  'add-primary-key-without-using-index',
  'locking',
  'ADD PRIMARY KEY builds its index under ACCESS EXCLUSIVE.',
);
export const addExclusion = defineRule(
  'add-exclusion-constraint',
  'locking',
  'An EXCLUDE constraint builds its index under ACCESS EXCLUSIVE and has no online form.',
);

/** Where a constraint is being added: the table, and the column when it is declared inline. */
interface Target {
  table: TableRef;
  inlineColumn?: string;
}

function constraintName(constraint: Constraint, what: string, target: Target): string {
  const columns = target.inlineColumn ? [target.inlineColumn] : namesOf(constraint.keys ?? constraint.fk_attrs);
  const named = constraint.conname ? ` ${constraint.conname}` : '';
  return `${what}${named}${columns.length ? ` (${columns.join(', ')})` : ''} on ${target.table.display}`;
}

/** Checks one constraint being added to an existing table. */
function checkConstraint(constraint: Constraint, target: Target, hits: Hit[]): void {
  const table = target.table.display;
  const inline = target.inlineColumn !== undefined;
  switch (constraint.contype) {
    case 'CONSTR_FOREIGN': {
      if (constraint.skip_validation) return;
      const referenced = relationDisplay(constraint.pktable);
      hits.push({
        rule: addForeignKey,
        message:
          `${constraintName(constraint, 'foreign key', target)} → ${referenced} is validated immediately: ` +
          `the scan holds SHARE ROW EXCLUSIVE on ${table} and ${referenced}, blocking their writes`,
        safeAlternative:
          (inline ? `Add the column without REFERENCES, then ` : '') +
          `ALTER TABLE ${table} ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES ${referenced} (…) NOT VALID; ` +
          `then, in a separate transaction, ALTER TABLE ${table} VALIDATE CONSTRAINT … (SHARE UPDATE EXCLUSIVE: ` +
          `reads and writes go on).`,
        lock: 'SHARE ROW EXCLUSIVE',
      });
      return;
    }
    case 'CONSTR_CHECK':
      if (constraint.skip_validation) return;
      hits.push({
        rule: addCheck,
        message:
          `${constraintName(constraint, 'check constraint', target)} is validated immediately: the scan ` +
          `holds ACCESS EXCLUSIVE on ${table}, blocking reads and writes`,
        safeAlternative:
          (inline ? `Add the column without the CHECK, then ` : '') +
          `ALTER TABLE ${table} ADD CONSTRAINT … CHECK (…) NOT VALID; then, in a separate transaction, ALTER TABLE ` +
          `${table} VALIDATE CONSTRAINT ….`,
        lock: 'ACCESS EXCLUSIVE',
      });
      return;
    case 'CONSTR_UNIQUE':
    case 'CONSTR_PRIMARY': {
      if (constraint.indexname) return;
      const primary = constraint.contype === 'CONSTR_PRIMARY';
      const columns = target.inlineColumn ?? (namesOf(constraint.keys).join(', ') || '…');
      const index = `${table.replace(/.*\./, '')}_${columns.replace(/, /g, '_')}_${primary ? 'pkey' : 'key'}`;
      hits.push({
        rule: primary ? addPrimaryKey : addUnique,
        message:
          `${constraintName(constraint, primary ? 'primary key' : 'unique constraint', target)} builds its ` +
          `index under ACCESS EXCLUSIVE: reads and writes on ${table} wait for the whole build`,
        safeAlternative:
          `CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${table} (${columns}); then ALTER TABLE ${table} ADD ` +
          `CONSTRAINT ${index} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${index}` +
          (primary ? ' (make the columns NOT NULL first through validated CHECK constraints, or it scans).' : '.'),
        lock: 'ACCESS EXCLUSIVE',
      });
      return;
    }
    case 'CONSTR_EXCLUSION':
      hits.push({
        rule: addExclusion,
        message:
          `${constraintName(constraint, 'exclusion constraint', target)} builds its index and checks every ` +
          `row under ACCESS EXCLUSIVE; it has no NOT VALID or USING INDEX form`,
        safeAlternative:
          `Declare EXCLUDE constraints when the table is created; on an existing table enforce the rule with a ` +
          `trigger, ` +
          `or accept the lock for a small table with a short lock_timeout and -- slipway: allow ` +
          `add-exclusion-constraint because ….`,
        lock: 'ACCESS EXCLUSIVE',
      });
      return;
  }
}

function checkAddConstraint(cmd: AlterTableCmd, table: TableRef, _ctx: LintContext, hits: Hit[]): void {
  const constraint = nodeAs(cmd.def, 'Constraint');
  if (constraint && !table.isNew) checkConstraint(constraint, { table }, hits);
}

function checkAddColumnConstraints(cmd: AlterTableCmd, table: TableRef, _ctx: LintContext, hits: Hit[]): void {
  const column = nodeAs(cmd.def, 'ColumnDef');
  if (!column || table.isNew) return;
  const facts = columnFacts(column);
  for (const constraint of facts.constraints) checkConstraint(constraint, { table, inlineColumn: facts.name }, hits);
}

function checkSetNotNull(cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]): void {
  const column = cmd.name ?? '?';
  if (table.isNew || ctx.hasValidatedNotNull(`${table.key}.${column}`)) return;
  // A constraint validated here but defined in an earlier migration: trust it when its name
  // mentions the column (the usual `table_column_not_null`), since its definition is not in view.
  if ((ctx.validatedElsewhere.get(table.key) ?? []).some((name) => name.includes(column))) return;
  const check = `${table.display.replace(/.*\./, '')}_${column}_not_null`;
  hits.push({
    rule: setNotNull,
    message:
      `${columnName(table, column)} gets SET NOT NULL without a validated CHECK (${column} IS NOT NULL): ` +
      `PostgreSQL scans ${table.display} under ACCESS EXCLUSIVE`,
    safeAlternative:
      `ALTER TABLE ${table.display} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID; ` +
      `ALTER TABLE ${table.display} VALIDATE CONSTRAINT ${check}; then SET NOT NULL (PostgreSQL 12+ uses the check ` +
      `and skips the scan) and DROP CONSTRAINT ${check}.`,
    lock: 'ACCESS EXCLUSIVE',
  });
}

export const constraintRules: RuleModule = {
  rules: [addForeignKey, addCheck, setNotNull, addUnique, addPrimaryKey, addExclusion],
  alterTable: {
    AT_AddConstraint: checkAddConstraint,
    AT_AddColumn: checkAddColumnConstraints,
    AT_SetNotNull: checkSetNotNull,
  },
};
