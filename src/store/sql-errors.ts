/**
 * Both drivers reject a failed statement with the server's error fields (`code` = SQLSTATE,
 * `constraint`, `detail`), so queries recognise expected failures the same way on both.
 */
export interface SqlErrorFields {
  code: string;
  constraint?: string;
  detail?: string;
}

/** The SQLSTATE fields of a database error, or undefined for anything else. */
export function sqlErrorOf(e: unknown): SqlErrorFields | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  // SQLSTATEs are five characters; Node errno codes (ECONNREFUSED) are not.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const { constraint, detail } = e as { constraint?: unknown; detail?: unknown };
  return {
    code,
    ...(typeof constraint === 'string' ? { constraint } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
  };
}

/** True for a unique violation (23505), optionally of one named constraint or index. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const fields = sqlErrorOf(e);
  return fields?.code === '23505' && (constraint === undefined || fields.constraint === constraint);
}
