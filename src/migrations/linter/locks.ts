/**
 * The table-level locks a statement takes, per the PostgreSQL 15 docs ("Explicit Locking",
 * table 13.2, and the per-subcommand lock levels on the ALTER TABLE page). Read from the parse
 * tree only: which relations, which mode. Whether a relation is new is the context's business.
 */
import type { AlterTableCmd, AlterTableStmt, Constraint, DropStmt, Node, RangeVar } from 'libpg-query';
import type { LockMode } from '../types.js';
import { isConcurrent } from './concurrency.js';
import { keyOfNames, nodeAs, objectNames, relationDisplay, relationKey } from './nodes.js';
import { hasOption } from './options.js';

/** Weakest to strongest; the position is the lock's strength (and LOCK TABLE's mode number - 1). */
export const lockModes: readonly LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

/** Strength of a lock mode (0 = ACCESS SHARE … 7 = ACCESS EXCLUSIVE). */
export function lockStrength(mode: LockMode): number {
  return lockModes.indexOf(mode);
}

/** SHARE and stronger conflict with ROW EXCLUSIVE: they stop writes, and queue everyone behind them. */
export function blocksWrites(mode: LockMode): boolean {
  return lockStrength(mode) >= lockStrength('SHARE');
}

/** One relation a statement locks. */
export interface RelationLock {
  /** Tracking key (schema-qualified outside public). */
  relation: string;
  display: string;
  mode: LockMode;
}

/** The strongest mode among `locks`, or null when the statement takes no table lock. */
export function strongestLock(locks: RelationLock[]): LockMode | null {
  let strongest: LockMode | null = null;
  for (const lock of locks) {
    if (strongest === null || lockStrength(lock.mode) > lockStrength(strongest)) strongest = lock.mode;
  }
  return strongest;
}

function on(relation: RangeVar | undefined, mode: LockMode): RelationLock {
  return { relation: relationKey(relation), display: relationDisplay(relation), mode };
}

function rangeVars(nodes: Node[] | undefined): RangeVar[] {
  const found: RangeVar[] = [];
  for (const node of nodes ?? []) {
    const relation = nodeAs(node, 'RangeVar');
    if (relation) found.push(relation);
  }
  return found;
}

/** Every relation lock `node` (of parse-tree type `kind`) takes. */
export function locksOf(kind: string, node: Record<string, unknown>): RelationLock[] {
  const n = node as never;
  switch (kind) {
    case 'SelectStmt':
      return rangeVars((node as { fromClause?: Node[] }).fromClause).map((r) => on(r, 'ACCESS SHARE'));
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return [on((node as { relation?: RangeVar }).relation, 'ROW EXCLUSIVE')];
    case 'CreateStmt':
      return createTableLocks(n);
    case 'IndexStmt':
      return [
        on((node as { relation?: RangeVar }).relation, isConcurrent(kind, node) ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE'),
      ];
    case 'DropStmt':
      return dropLocks(n);
    case 'AlterTableStmt':
      return alterTableLocks(n);
    case 'RenameStmt':
      return renameLocks(node as { renameType?: string; relation?: RangeVar });
    case 'ReindexStmt':
      // A plain REINDEX holds ACCESS EXCLUSIVE on each index it rebuilds, and the planner opens
      // every index of a table, so in practice reads wait too (docs, REINDEX "Notes").
      // SCHEMA / DATABASE / SYSTEM name no relation: which tables they lock is not in the tree.
      if (!(node as { relation?: RangeVar }).relation) return [];
      return [
        on(
          (node as { relation?: RangeVar }).relation,
          isConcurrent(kind, node) ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE',
        ),
      ];
    case 'VacuumStmt':
      return vacuumLocks(node as { options?: Node[]; rels?: Node[] });
    case 'ClusterStmt':
      return [on((node as { relation?: RangeVar }).relation, 'ACCESS EXCLUSIVE')];
    case 'TruncateStmt':
      return rangeVars((node as { relations?: Node[] }).relations).map((r) => on(r, 'ACCESS EXCLUSIVE'));
    case 'LockStmt': {
      const mode = lockModes[((node as { mode?: number }).mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
      return rangeVars((node as { relations?: Node[] }).relations).map((r) => on(r, mode));
    }
    case 'CreateTrigStmt':
      return [on((node as { relation?: RangeVar }).relation, 'SHARE ROW EXCLUSIVE')];
    case 'ViewStmt':
      return (node as { replace?: boolean }).replace
        ? [on((node as { view?: RangeVar }).view, 'ACCESS EXCLUSIVE')]
        : [];
    default:
      return [];
  }
}

function createTableLocks(node: { tableElts?: Node[]; inhRelations?: Node[]; partbound?: unknown }): RelationLock[] {
  const locks: RelationLock[] = [];
  // CREATE TABLE … PARTITION OF takes ACCESS EXCLUSIVE on the parent (ATTACH PARTITION does not).
  if (node.partbound) for (const parent of rangeVars(node.inhRelations)) locks.push(on(parent, 'ACCESS EXCLUSIVE'));
  for (const element of node.tableElts ?? []) {
    const column = nodeAs(element, 'ColumnDef');
    const constraints = column ? (column.constraints ?? []) : [element];
    for (const item of constraints) {
      const constraint = nodeAs(item, 'Constraint');
      if (constraint?.contype === 'CONSTR_FOREIGN') locks.push(on(constraint.pktable, 'SHARE ROW EXCLUSIVE'));
    }
  }
  return locks;
}

function dropLocks(node: DropStmt): RelationLock[] {
  const relational = [
    'OBJECT_TABLE',
    'OBJECT_INDEX',
    'OBJECT_VIEW',
    'OBJECT_MATVIEW',
    'OBJECT_SEQUENCE',
    'OBJECT_FOREIGN_TABLE',
    'OBJECT_SCHEMA',
  ];
  if (!relational.includes(node.removeType ?? '')) return [];
  const mode: LockMode = node.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  return (node.objects ?? []).map((object) => {
    const parts = objectNames(object);
    return { relation: keyOfNames(parts), display: parts.join('.'), mode };
  });
}

function alterTableLocks(node: AlterTableStmt): RelationLock[] {
  let mode: LockMode = 'ACCESS SHARE';
  const others: RelationLock[] = [];
  for (const item of node.cmds ?? []) {
    const cmd = nodeAs(item, 'AlterTableCmd');
    if (!cmd) continue;
    const cmdMode = alterTableCmdLock(cmd);
    if (lockStrength(cmdMode) > lockStrength(mode)) mode = cmdMode;
    for (const referenced of referencedTables(cmd)) others.push(on(referenced, 'SHARE ROW EXCLUSIVE'));
    const partition = nodeAs(cmd.def, 'PartitionCmd');
    if (partition && !partition.concurrent) others.push(on(partition.name, 'ACCESS EXCLUSIVE'));
  }
  return [on(node.relation, mode), ...others];
}

/** Lock level of one ALTER TABLE subcommand (ACCESS EXCLUSIVE unless the docs say otherwise). */
export function alterTableCmdLock(cmd: AlterTableCmd): LockMode {
  switch (cmd.subtype) {
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_ValidateConstraint':
    case 'AT_ValidateConstraintRecurse':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_AttachPartition':
    case 'AT_DetachPartitionFinalize':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
      return 'SHARE UPDATE EXCLUSIVE';
    case 'AT_DetachPartition':
      return nodeAs(cmd.def, 'PartitionCmd')?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return 'SHARE ROW EXCLUSIVE';
    case 'AT_AddConstraint':
      return nodeAs(cmd.def, 'Constraint')?.contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    default:
      return 'ACCESS EXCLUSIVE';
  }
}

/** Tables a subcommand's foreign keys point at: they get SHARE ROW EXCLUSIVE too. */
function referencedTables(cmd: AlterTableCmd): RangeVar[] {
  const constraints: Constraint[] = [];
  const direct = nodeAs(cmd.def, 'Constraint');
  if (direct) constraints.push(direct);
  for (const item of nodeAs(cmd.def, 'ColumnDef')?.constraints ?? []) {
    const constraint = nodeAs(item, 'Constraint');
    if (constraint) constraints.push(constraint);
  }
  return constraints.filter((c) => c.contype === 'CONSTR_FOREIGN' && c.pktable).map((c) => c.pktable!);
}

function renameLocks(node: { renameType?: string; relation?: RangeVar }): RelationLock[] {
  if (!node.relation) return [];
  // Renaming an index takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12; the rest ACCESS EXCLUSIVE.
  return [on(node.relation, node.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE')];
}

function vacuumLocks(node: { options?: Node[]; rels?: Node[] }): RelationLock[] {
  const mode: LockMode = hasOption(node.options, 'full') ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE';
  return (node.rels ?? []).map((rel) => on(nodeAs(rel, 'VacuumRelation')?.relation, mode));
}
