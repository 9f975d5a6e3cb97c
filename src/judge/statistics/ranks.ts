/** What ranking two samples together yields for the Mann–Whitney test. */
export interface RankSums {
  /** Sum of the first sample's ranks (1-based; tied values share their average rank). */
  rankSumX: number;
  /** Σ (t³ − t) over groups of t tied values: the variance correction for ties. */
  tieTerm: number;
}

/**
 * Rank two ascending samples together in one merge pass — O(n1 + n2) once they are sorted,
 * so thousands of latencies cost a sort, not a quadratic comparison of every pair.
 */
export function rankSorted(xs: ArrayLike<number>, ys: ArrayLike<number>): RankSums {
  let i = 0;
  let j = 0;
  let position = 0; // values ranked so far
  let rankSumX = 0;
  let tieTerm = 0;
  while (i < xs.length || j < ys.length) {
    const value = j >= ys.length || (i < xs.length && xs[i]! <= ys[j]!) ? xs[i]! : ys[j]!;
    let fromX = 0;
    let fromY = 0;
    for (; i < xs.length && xs[i] === value; i++) fromX++;
    for (; j < ys.length && ys[j] === value; j++) fromY++;
    const t = fromX + fromY;
    const averageRank = position + (t + 1) / 2;
    rankSumX += fromX * averageRank;
    if (t > 1) tieTerm += t * t * t - t;
    position += t;
  }
  return { rankSumX, tieTerm };
}
