import { requireCount } from './arguments.js';
import type { Alternative } from './alternative.js';
import { logBinomial } from './gamma.js';

/** A 2×2 contingency table [[a, b], [c, d]]: rows are the groups, columns the outcomes. */
export type Table2x2 = readonly [readonly [number, number], readonly [number, number]];

/** The outcome of Fisher's exact test. */
export interface FisherResult {
  pValue: number;
  /** The sample odds ratio ad / bc (Infinity when bc = 0 and ad > 0, NaN when both are 0). */
  oddsRatio: number;
}

/**
 * Fisher's exact test for a 2×2 table, conditional on its margins: the count in the top-left
 * cell is hypergeometric under independence. `greater` asks whether the first row's odds of
 * the first outcome are higher (for the judge: [[candidate errors, candidate ok], [stable
 * errors, stable ok]] — is the candidate worse?). Two-sided sums every table no more likely
 * than the observed one, with SciPy's relative tolerance of 1e-7 for ties in probability.
 * Exact for any counts; cost grows with the smaller margin, not with the total.
 */
export function fisherExact(table: Table2x2, alternative: Alternative = 'two-sided'): FisherResult {
  const [[a, b], [c, d]] = table;
  for (const [name, v] of [
    ['a', a],
    ['b', b],
    ['c', c],
    ['d', d],
  ] as const)
    requireCount('fisherExact', `table cell ${name}`, v);
  const row1 = a + b;
  const col1 = a + c;
  const total = a + b + c + d;
  const oddsRatio = b * c === 0 ? (a * d === 0 ? NaN : Infinity) : (a * d) / (b * c);
  const lo = Math.max(0, row1 + col1 - total);
  const hi = Math.min(row1, col1);
  const logDenominator = logBinomial(total, row1);
  const pmf = (x: number) => Math.exp(logBinomial(col1, x) + logBinomial(total - col1, row1 - x) - logDenominator);

  let p = 0;
  if (alternative === 'greater') for (let x = a; x <= hi; x++) p += pmf(x);
  else if (alternative === 'less') for (let x = lo; x <= a; x++) p += pmf(x);
  else {
    const observed = pmf(a) * (1 + 1e-7);
    for (let x = lo; x <= hi; x++) {
      const q = pmf(x);
      if (q <= observed) p += q;
    }
  }
  return { pValue: Math.min(1, p), oddsRatio };
}
