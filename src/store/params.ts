/**
 * A value for a json/jsonb parameter. pg turns a JS array parameter into a PostgreSQL array
 * literal (`{1,2}`, invalid json) while PGlite serialises it as JSON; a JSON text means the same
 * to both drivers, so every jsonb parameter goes through here.
 * Example: `db.query('insert into events (kind, data) values ($1, $2)', [kind, jsonParam(data)])`
 */
export function jsonParam(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON.stringify(undefined) is undefined: a caller bug that would otherwise store SQL NULL.
  if (text === undefined)
    throw new TypeError('jsonParam: value is not representable as JSON (undefined or a function)');
  return text;
}
