/**
 * Statement options written as a list (`VACUUM (FULL false) t`, `REINDEX (CONCURRENTLY off) INDEX i`)
 * arrive as DefElems whose argument may switch them off. The parser keeps `false` / `off` as
 * strings and `0` as an Integer without a value, so reading the name alone gets them backwards.
 */
import type { Node } from 'libpg-query';
import { nodeAs } from './nodes.js';

/** True when a DefElem option is on: written bare, or with true / on / yes / a non-zero number. */
export function optionEnabled(option: unknown): boolean {
  const arg = nodeAs(option, 'DefElem')?.arg as
    | { String?: { sval?: string }; Boolean?: { boolval?: boolean }; Integer?: { ival?: number } }
    | undefined;
  if (!arg) return true;
  if (arg.Boolean) return arg.Boolean.boolval === true;
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  const text = arg.String?.sval?.toLowerCase();
  return text !== 'false' && text !== 'off' && text !== 'no' && text !== '0';
}

/** True when the option list holds `name` (lower case, as the parser spells it) switched on. */
export function hasOption(options: Node[] | undefined, name: string): boolean {
  return (options ?? []).some((option) => nodeAs(option, 'DefElem')?.defname === name && optionEnabled(option));
}
