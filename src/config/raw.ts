/** Reading unvalidated input defensively: cross-field checks run even when the schema found problems elsewhere. */

/** A plain mapping (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entries of a mapping, or none when it is not one. */
export function entriesOf(value: unknown): [string, unknown][] {
  return isMapping(value) ? Object.entries(value) : [];
}

/** `value[key]` when value is a mapping. */
export function field(value: unknown, key: string): unknown {
  return isMapping(value) ? value[key] : undefined;
}
