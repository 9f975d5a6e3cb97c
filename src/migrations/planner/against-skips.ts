/**
 * Which statements a plan against a real database must not run, and why. Everything runs in
 * one transaction that is rolled back, so statements that cannot run in a transaction block
 * are left out, and so is any use of an enum value added earlier in the same plan (PostgreSQL
 * refuses that until the ALTER TYPE … ADD VALUE has committed).
 */
import type { ParsedStatement } from '../types.js';
import { outsideTransactionReason } from './transactionless.js';

export class AgainstSkips {
  /** Enum label → where it was added (`file:line`). */
  private readonly addedValues = new Map<string, string>();

  /** Why the statement is not run, or null to run it. Call in plan order. */
  reasonFor(statement: ParsedStatement, file: string): string | null {
    const outside = outsideTransactionReason(statement);
    if (outside) return `${outside}, and the plan runs in one transaction that is rolled back`;
    const used = this.usedNewValue(statement);
    if (used)
      return (
        `uses the enum value '${used[0]}' added at ${used[1]}; a new enum value cannot be used in the ` +
        `transaction that added it`
      );
    if (
      statement.kind === 'AlterEnumStmt' &&
      typeof statement.node.newVal === 'string' &&
      statement.node.oldVal === undefined
    ) {
      this.addedValues.set(statement.node.newVal, `${file}:${statement.line}`);
    }
    return null;
  }

  private usedNewValue(statement: ParsedStatement): [string, string] | null {
    if (this.addedValues.size === 0) return null;
    let found: [string, string] | null = null;
    visitStrings(statement.node, (text) => {
      const where = this.addedValues.get(text);
      if (where && !found) found = [text, where];
    });
    return found;
  }
}

// String constants ('label') in the tree: A_Const { sval: { sval } }.
function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visitStrings(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const constant = (value as { A_Const?: { sval?: { sval?: unknown } } }).A_Const;
  if (typeof constant?.sval?.sval === 'string') visit(constant.sval.sval);
  for (const child of Object.values(value)) visitStrings(child, visit);
}
