/**
 * Reading libpg-query's JSON parse tree (PostgreSQL 15): names, relations, types, constants.
 * Nodes arrive wrapped (`{ String: { sval } }`); these helpers unwrap them so rules read like
 * the SQL they check.
 */
import type { A_Const, Node, RangeVar, TypeName } from 'libpg-query';

type KeysOf<T> = T extends unknown ? keyof T : never;
/** Every wrapper key of a parse-tree node: `String`, `ColumnDef`, `Constraint`, … */
export type NodeKey = KeysOf<Node>;
export type NodeOf<K extends NodeKey> = Extract<Node, Record<K, unknown>>[K];

/** The inner node when `node` is a `key` node, else undefined. */
export function nodeAs<K extends NodeKey>(node: unknown, key: K): NodeOf<K> | undefined {
  return (node as Record<string, NodeOf<K>> | undefined)?.[key];
}

/** `[{String: {sval: 'a'}}, {String: {sval: 'b'}}]` → `['a', 'b']`. */
export function namesOf(nodes: Node[] | undefined): string[] {
  const names: string[] = [];
  for (const node of nodes ?? []) {
    const value = nodeAs(node, 'String')?.sval;
    if (value !== undefined) names.push(value);
  }
  return names;
}

/** A relation as the linter tracks it: `vessels`, or `shipping.vessels` outside public. */
export function relationKey(relation: RangeVar | undefined): string {
  return keyOfParts(relation?.schemaname, relation?.relname ?? '?');
}

/** A relation as the user wrote it, for messages. */
export function relationDisplay(relation: RangeVar | undefined): string {
  const name = relation?.relname ?? '?';
  return relation?.schemaname ? `${relation.schemaname}.${name}` : name;
}

/** Key of a qualified name given as parts (`['shipping', 'vessels']`). */
export function keyOfNames(parts: string[]): string {
  return parts.length > 1 ? keyOfParts(parts[parts.length - 2], parts[parts.length - 1]!) : (parts[0] ?? '?');
}

function keyOfParts(schema: string | undefined, name: string): string {
  return schema && schema !== 'public' ? `${schema}.${name}` : name;
}

/** The name parts of a DROP / COMMENT object: a List of Strings, a String, or a TypeName. */
export function objectNames(node: Node | undefined): string[] {
  const list = nodeAs(node, 'List');
  if (list) return namesOf(list.items);
  const single = nodeAs(node, 'String')?.sval;
  if (single !== undefined) return [single];
  return namesOf(nodeAs(node, 'TypeName')?.names);
}

/** A column type reduced to what compatibility and hygiene rules compare. */
export interface ColumnType {
  /** Canonical name: `int4`, `varchar`, `timestamptz`, `serial`, `public.citext`, … */
  name: string;
  /** Type modifiers: `varchar(20)` → [20], `numeric(10,2)` → [10, 2]. */
  mods: number[];
  array: boolean;
}

const typeAliases: Record<string, string> = {
  integer: 'int4',
  int: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  serial4: 'serial',
  serial8: 'bigserial',
  serial2: 'smallserial',
  decimal: 'numeric',
  real: 'float4',
  'double precision': 'float8',
  boolean: 'bool',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  varbit: 'varbit',
};

/** Reads a TypeName node: `pg_catalog.varchar(20)` → `{ name: 'varchar', mods: [20] }`. */
export function columnTypeOf(typeName: TypeName | undefined): ColumnType {
  const parts = namesOf(typeName?.names);
  const last = parts[parts.length - 1] ?? '?';
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const base = typeAliases[last] ?? last;
  const name = schema && schema !== 'pg_catalog' && schema !== 'public' ? `${schema}.${base}` : base;
  const mods: number[] = [];
  for (const mod of typeName?.typmods ?? []) {
    const value = integerOf(nodeAs(mod, 'A_Const'));
    if (value !== undefined) mods.push(value);
  }
  return { name, mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}

const spokenNames: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  bpchar: 'char',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
};

/** `varchar(20)`, `integer`, `numeric(10,2)[]` — how a type reads in a message. */
export function describeType(type: ColumnType): string {
  const mods = type.mods.length ? `(${type.mods.join(',')})` : '';
  return `${spokenNames[type.name] ?? type.name}${mods}${type.array ? '[]' : ''}`;
}

/** An integer constant; libpg-query leaves out zero values (`{ ival: {} }` is 0). */
export function integerOf(constant: A_Const | undefined): number | undefined {
  if (!constant?.ival) return undefined;
  return constant.ival.ival ?? 0;
}

/** A string or integer constant as text (`SET lock_timeout = '2s'` / `= 2000`). */
export function constantText(node: Node | undefined): string | undefined {
  const constant = nodeAs(node, 'A_Const');
  if (!constant) return undefined;
  if (constant.sval) return constant.sval.sval ?? '';
  const integer = integerOf(constant);
  return integer === undefined ? undefined : String(integer);
}

/** A function call in an expression: its name (last part, lower case) and how many arguments it gets. */
export interface FunctionCall {
  name: string;
  args: number;
}

/**
 * Every function called in an expression. Walks the expression once, iteratively; expressions in
 * DDL (defaults, checks) are small.
 */
export function functionCalls(expression: unknown): FunctionCall[] {
  const calls: FunctionCall[] = [];
  const stack: unknown[] = [expression];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'FuncCall') {
          const call = child as { funcname?: Node[]; args?: Node[] };
          const parts = namesOf(call.funcname);
          calls.push({ name: (parts[parts.length - 1] ?? '?').toLowerCase(), args: call.args?.length ?? 0 });
        }
        if (typeof child === 'object') stack.push(child);
      }
    }
  }
  return calls;
}

/** Names of every function called in an expression (last name part, lower case). */
export function calledFunctions(expression: unknown): string[] {
  return functionCalls(expression).map((call) => call.name);
}

const statementNames: Record<string, string> = {
  AlterTableStmt: 'ALTER TABLE',
  AlterDomainStmt: 'ALTER DOMAIN',
  ClusterStmt: 'CLUSTER',
  CreateStmt: 'CREATE TABLE',
  CreateTrigStmt: 'CREATE TRIGGER',
  DeleteStmt: 'DELETE',
  DropStmt: 'DROP',
  IndexStmt: 'CREATE INDEX',
  InsertStmt: 'INSERT',
  LockStmt: 'LOCK',
  MergeStmt: 'MERGE',
  ReindexStmt: 'REINDEX',
  RenameStmt: 'ALTER … RENAME',
  TruncateStmt: 'TRUNCATE',
  UpdateStmt: 'UPDATE',
  VacuumStmt: 'VACUUM',
  ViewStmt: 'CREATE VIEW',
};

/** `AlterTableStmt` → `ALTER TABLE`: how a message names a statement kind. */
export function statementName(kind: string): string {
  return statementNames[kind] ?? kind.replace(/Stmt$/, '');
}
