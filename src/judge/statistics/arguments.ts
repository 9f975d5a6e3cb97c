import { JudgeError } from '../errors.js';

// Argument checks shared by the statistics: a count that is not a whole number, or a
// probability outside [0, 1], is a caller's bug that would otherwise surface as a silent NaN.

/** Throw unless `value` is a whole number ≥ `min` (named `name` in `where`). */
export function requireCount(where: string, name: string, value: number, min = 0): void {
  if (!Number.isInteger(value) || value < min) {
    throw new JudgeError(`${where}: ${name} must be a whole number ≥ ${min}, got ${value}`, { where, name, value });
  }
}

/** Throw unless `value` is a probability in [lo, hi] (inclusive unless `open`). */
export function requireProbability(where: string, name: string, value: number, open = false): void {
  const ok = open ? value > 0 && value < 1 : value >= 0 && value <= 1;
  if (!Number.isFinite(value) || !ok) {
    const range = open ? '(0, 1)' : '[0, 1]';
    throw new JudgeError(`${where}: ${name} must be in ${range}, got ${value}`, { where, name, value });
  }
}
