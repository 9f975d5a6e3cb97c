/**
 * Both drivers reject a failed statement with an SqlError (`code` = SQLSTATE, `constraint`), so
 * queries recognise expected failures the same way on both.
 */
export interface SqlErrorFields {
  code: string;
  constraint?: string;
}

/** The SQLSTATE fields of a database error, or undefined for anything else. */
export function sqlErrorOf(e: unknown): SqlErrorFields | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  // SQLSTATEs are five characters; Node errno codes (ECONNREFUSED) are not.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const { constraint } = e as { constraint?: unknown };
  return { code, ...(typeof constraint === 'string' && constraint ? { constraint } : {}) };
}

/** True for a unique violation (23505), optionally of one named constraint or index. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const fields = sqlErrorOf(e);
  return fields?.code === '23505' && (constraint === undefined || fields.constraint === constraint);
}

/**
 * A failed statement as the store reports it: the SQLSTATE, the server's message and the names
 * of what it concerns — never the statement's parameters or the row values the server's detail
 * (or, for a failed conversion, its message) can quote (a token's hash, a password hash), so a
 * logged error cannot leak them.
 */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  constructor(
    message: string,
    readonly code: string,
    /** The statement, shortened to its first words: enough to find it in the code. */
    readonly statement: string,
    readonly constraint?: string,
    readonly table?: string,
    readonly column?: string,
  ) {
    super(message);
  }
}

/** The first words of a statement, whitespace collapsed (e.g. "insert into tokens (id, name, …"). */
export function statementName(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}

/**
 * The server's message without the input it quotes. Data exceptions (SQLSTATE class 22) quote the
 * value that failed to convert — `invalid input syntax for type integer: "…"`, `value "…" is out of
 * range` — and that value is a parameter; 22021 quotes only the encoding's name.
 */
export function messageWithoutInput(message: string, code: string): string {
  return code.startsWith('22') && code !== '22021' ? message.replace(/"[\s\S]*"/, '"…"') : message;
}

/** A driver's error for `sql` as an SqlError (SQL errors) or unchanged (anything else: network, closed store). */
export function toSqlError(e: unknown, sql: string): unknown {
  const fields = sqlErrorOf(e);
  if (!fields) return e;
  const { message, table, column } = e as { message?: unknown; table?: unknown; column?: unknown };
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return new SqlError(
    messageWithoutInput(text(message) ?? `SQLSTATE ${fields.code}`, fields.code),
    fields.code,
    statementName(sql),
    fields.constraint,
    text(table),
    text(column),
  );
}
