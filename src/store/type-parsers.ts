import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { StoreError } from './errors.js';

/**
 * Both drivers must hand back the same JS values for the same SQL, or code tested on PGlite
 * breaks on PostgreSQL. Their defaults differ (pg: int8 → string, interval → object, numeric[]
 * → floats; PGlite: int8 → number or bigint, bytea → Uint8Array, NULL array elements → "NULL"),
 * so both get the overrides below.
 */
const oid = {
  bytea: 17,
  int8: 20,
  text_array: 1009,
  int8_array: 1016,
  interval: 1186,
  interval_array: 1187,
  numeric_array: 1231,
} as const;

/** int8 (count(*), bigserial) as a number; refuses values a JS number cannot hold exactly. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new StoreError(
      'internal',
      `int8 value ${text} is outside JavaScript's safe integer range; select it as text (::text) instead`,
    );
  }
  return n;
}

type TextArray = (string | null | TextArray)[];

function mapArray(values: TextArray, parse: (text: string) => unknown): unknown[] {
  return values.map((v) => (v === null ? null : Array.isArray(v) ? mapArray(v, parse) : parse(v)));
}

/** bytea arrives as hex text (`\x0102`); pg's default gives a Buffer, so PGlite does too. */
function parseByteaHex(text: string): Buffer {
  return Buffer.from(text.slice(2), 'hex');
}

/** Parsers for PGlite's `parsers` option (scalar types; arrays: see installPgliteArrayParsers). */
export const pgliteParsers: Record<number, (text: string) => unknown> = {
  [oid.int8]: parseInt8,
  [oid.bytea]: parseByteaHex,
};

// pg-types' TypeId enum omits array types, hence the widening casts.
const defaultParser = pg.types.getTypeParser as (id: number, format?: 'text' | 'binary') => (text: string) => unknown;
const parseTextArray = defaultParser(oid.text_array, 'text') as (text: string) => TextArray;

/**
 * PGlite 0.3's array parser hands an unquoted NULL element to the element parser as the text
 * "NULL" (text[] → 'NULL', int[] → NaN, jsonb[] → throws). Replace the array parser of every
 * array type with pg's, which knows NULL from "NULL", applying PGlite's element parsers.
 */
export async function installPgliteArrayParsers(pglite: PGlite): Promise<void> {
  const { rows } = await pglite.query<{ oid: number; typarray: number }>(
    // Types whose arrays use ';' (box) keep PGlite's parser: pg's text[] parser splits on ','.
    "select oid, typarray from pg_catalog.pg_type where typarray <> 0 and typdelim = ','",
  );
  for (const { oid: element, typarray } of rows) {
    pglite.parsers[typarray] = (text: string) =>
      mapArray(parseTextArray(text), (item) => {
        const parse = pglite.parsers[element]; // looked up per call: later overrides apply
        return parse ? parse(item, element) : item;
      });
  }
}

/** The `types` option for pg clients: pg's defaults except the overrides that match PGlite. */
export const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((id: number, format?: 'text' | 'binary') => {
    if (format === 'binary') return defaultParser(id, format);
    switch (id) {
      case oid.int8:
        return parseInt8;
      case oid.int8_array:
        return (text: string) => mapArray(parseTextArray(text), parseInt8);
      case oid.interval:
        // PGlite returns the server's text ("1 day 02:00:00"); pg would build an object.
        return (text: string) => text;
      case oid.interval_array:
      case oid.numeric_array:
        // Elements as text, like the scalar types (pg parses numeric[] elements as floats).
        return parseTextArray;
      default:
        return defaultParser(id, format);
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};
