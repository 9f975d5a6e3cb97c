/**
 * A column declared or assigned twice in one statement. PostgreSQL rejects the statement
 * ("specified more than once", "multiple assignments to same column"), so the migration would stop
 * there. Slipway has no class for "cannot run"; like transaction-control (which the runner
 * refuses) it is `locking`, the blocking class no phase allows.
 */
import type { Node } from 'libpg-query';
import { namesOf, nodeAs, relationDisplay } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const duplicateColumn = defineRule(
  'duplicate-column',
  'locking',
  'A column declared or assigned twice in one statement: PostgreSQL rejects the statement.',
);

/** The names that occur more than once, each once, in first-seen order. */
function repeated(names: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return [...twice];
}

function hit(hits: Hit[], names: string[], where: string, fix: string): void {
  const twice = repeated(names);
  if (twice.length === 0) return;
  const list = twice.map((name) => `"${name}"`).join(', ');
  hits.push({
    rule: duplicateColumn,
    message: `${where} names ${list} more than once: PostgreSQL rejects the statement and the migration stops here`,
    safeAlternative: fix,
  });
}

function columnNames(elements: Node[] | undefined): string[] {
  const names: string[] = [];
  for (const element of elements ?? []) {
    const column = nodeAs(element, 'ColumnDef')?.colname;
    if (column) names.push(column);
  }
  return names;
}

/** Output column names of a SELECT: explicit aliases, else the last name of a plain column reference. */
function selectNames(select: Node | undefined): string[] {
  const names: string[] = [];
  for (const target of nodeAs(select, 'SelectStmt')?.targetList ?? []) {
    const res = nodeAs(target, 'ResTarget');
    const name = res?.name ?? namesOf(nodeAs(res?.val, 'ColumnRef')?.fields).pop();
    if (name) names.push(name);
  }
  return names;
}

const declare = 'Declare each column once (rename one of them if both are needed).';

export const duplicateRules: RuleModule = {
  rules: [duplicateColumn],
  statements: {
    CreateStmt(node, _ctx, hits) {
      hit(hits, columnNames(node.tableElts), `CREATE TABLE ${relationDisplay(node.relation)}`, declare);
    },
    ViewStmt(node, _ctx, hits) {
      const aliases = namesOf(node.aliases);
      const names = aliases.length > 0 ? aliases : selectNames(node.query);
      hit(hits, names, `view ${relationDisplay(node.view)}`, 'Give every column of the view a distinct name.');
    },
    UpdateStmt(node, _ctx, hits) {
      const names: string[] = [];
      for (const target of node.targetList ?? []) {
        const name = nodeAs(target, 'ResTarget')?.name;
        if (name) names.push(name);
      }
      hit(hits, names, `UPDATE ${relationDisplay(node.relation)} SET`, 'Assign each column once.');
    },
    InsertStmt(node, _ctx, hits) {
      const names: string[] = [];
      for (const column of node.cols ?? []) {
        const name = nodeAs(column, 'ResTarget')?.name;
        if (name) names.push(name);
      }
      hit(hits, names, `INSERT INTO ${relationDisplay(node.relation)}`, 'List each column once.');
    },
    AlterTableStmt(node, _ctx, hits) {
      // Two ADD COLUMNs of one name in one ALTER TABLE: the second fails.
      const added: string[] = [];
      for (const item of node.cmds ?? []) {
        const cmd = nodeAs(item, 'AlterTableCmd');
        if (cmd?.subtype !== 'AT_AddColumn' || cmd.missing_ok) continue;
        const column = nodeAs(cmd.def, 'ColumnDef')?.colname;
        if (column) added.push(column);
      }
      hit(hits, added, `ALTER TABLE ${relationDisplay(node.relation)}`, declare);
    },
  },
};
