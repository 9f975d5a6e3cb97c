/** Row helpers shared by the repositories: PostgreSQL rows (snake_case) to domain objects. */

/** A timestamptz column as a Date, or undefined when NULL. */
export function optionalDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value : new Date(String(value));
}

/** A text column that may be NULL. */
export function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
