/**
 * Volatility of built-in functions, for "ADD COLUMN … DEFAULT expr": since PostgreSQL 11 a
 * non-volatile default is stored once in the catalog, while a volatile one (a different value
 * per row) rewrites the whole table under ACCESS EXCLUSIVE. Values follow pg_proc.provolatile
 * in PostgreSQL 15. A function not listed here counts as volatile: a guess that errs on the
 * side of a warning, and the message says it was a guess.
 */
export type Volatility = 'immutable' | 'stable' | 'volatile';

const stable = [
  // Evaluated once per statement: the default is the migration's timestamp, stored once.
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_setting',
  'current_database',
  'current_schema',
  'current_schemas',
  'current_user',
  'session_user',
  'age',
  'to_char',
  'to_date',
  'to_timestamp',
  'date_trunc',
  'timezone',
  'make_timestamptz',
  'localtimestamp',
  'localtime',
  'current_date',
  'current_time',
  'current_timestamp',
  'pg_backend_pid',
  'inet_client_addr',
  'date',
  'to_regclass',
  'to_regtype',
  'format',
  'concat',
  'concat_ws',
  'to_tsvector',
];

const immutable = [
  'lower',
  'upper',
  'initcap',
  'length',
  'char_length',
  'character_length',
  'octet_length',
  'btrim',
  'ltrim',
  'rtrim',
  'trim',
  'lpad',
  'rpad',
  'substr',
  'substring',
  'replace',
  'translate',
  'left',
  'right',
  'repeat',
  'reverse',
  'split_part',
  'strpos',
  'position',
  'md5',
  'sha256',
  'encode',
  'decode',
  'abs',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'trunc',
  'power',
  'sqrt',
  'mod',
  'sign',
  'pi',
  'greatest',
  'least',
  'coalesce',
  'nullif',
  'int2',
  'int4',
  'int8',
  'float8',
  'numeric',
  'text',
  'bool',
  'make_date',
  'make_time',
  'make_timestamp',
  'make_interval',
  'date_part',
  'extract',
  'array_length',
  'cardinality',
  'array_fill',
  'array_append',
  'array_prepend',
  'array_cat',
  'string_to_array',
  'array_to_string',
  'jsonb_build_object',
  'jsonb_build_array',
  'json_build_object',
  'json_build_array',
  'to_jsonb',
  'jsonb_strip_nulls',
  'jsonb_set',
  'uuid_nil',
  'uuid_ns_url',
  'uuid_ns_dns',
  'uuid_generate_v3',
  'uuid_generate_v5',
  'inet',
  'cidr',
  'host',
  'masklen',
  'bit_length',
  'ascii',
  'chr',
  'regexp_replace',
  'quote_ident',
  'quote_literal',
  'setweight',
  'point',
  'box',
  'int4range',
  'int8range',
  'numrange',
  'daterange',
  'tsrange',
  'tstzrange',
];

const volatile = [
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'currval',
  'lastval',
  'setseed',
  'pg_sleep',
];

const known = new Map<string, Volatility>([
  ...stable.map((name): [string, Volatility] => [name, 'stable']),
  ...immutable.map((name): [string, Volatility] => [name, 'immutable']),
  ...volatile.map((name): [string, Volatility] => [name, 'volatile']),
]);

/** Volatility of a built-in function by name (lower case, without schema); undefined if unknown. */
export function volatilityOf(functionName: string): Volatility | undefined {
  return known.get(functionName.toLowerCase());
}

/**
 * Built-ins that take no arguments. `now(123)` is not now(): whatever it resolves to (if anything)
 * is a function the linter does not know, so it counts as volatile like any unknown one.
 */
const withoutArguments = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'clock_timestamp',
  'timeofday',
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuid_nil',
  'pi',
  'lastval',
  'pg_backend_pid',
  'current_database',
  'inet_client_addr',
]);

/** A volatile (or unknown) call in a default; `args` is set when a no-argument built-in got some. */
export interface VolatileCall {
  name: string;
  known: boolean;
  args?: number;
}

/** The first function in a default expression that makes it volatile, and whether that was a guess. */
export function firstVolatile(calls: (string | { name: string; args: number })[]): VolatileCall | null {
  for (const call of calls) {
    const name = typeof call === 'string' ? call : call.name;
    const args = typeof call === 'string' ? 0 : call.args;
    if (args > 0 && withoutArguments.has(name)) return { name, known: false, args };
    const volatility = volatilityOf(name);
    if (volatility === 'volatile') return { name, known: true };
    if (volatility === undefined) return { name, known: false };
  }
  return null;
}
