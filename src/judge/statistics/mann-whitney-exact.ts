/**
 * The exact null distribution of the Mann–Whitney U statistic for samples of m and n without
 * ties: every interleaving of the two samples is equally likely. Conditioning on where the
 * largest value comes from gives the recurrence (Mann & Whitney, Ann. Math. Stat. 18:50, 1947)
 *
 *   P(U = u; i, j) = i/(i+j) · P(U = u − j; i − 1, j) + j/(i+j) · P(U = u; i, j − 1),
 *
 * computed on probabilities rather than counts so nothing overflows (C(100, 50) ≈ 1e29) and
 * every term is positive (no cancellation). Cost ≈ (m·n)² / 4 steps, so callers use it only
 * for small samples (the judge: m·n ≤ 2,500, about 1.6 M steps at most).
 */

/** P(U ≤ u) for u = 0 … m·n, where U counts the pairs in which the first sample's value is larger. */
export function mannWhitneyExactCdf(m: number, n: number): Float64Array {
  // dist[i] holds the distribution for i values of the first sample and j of the second
  // (entries 0 … i·j), updated in place as j grows: no allocation inside the loops.
  const dist: Float64Array[] = [];
  for (let i = 0; i <= m; i++) {
    const d = new Float64Array(i * n + 1);
    d[0] = 1;
    dist.push(d);
  }
  for (let j = 1; j <= n; j++) {
    for (let i = 1; i <= m; i++) {
      const fromFirst = dist[i - 1]!; // already advanced to j: the largest value is the first sample's
      const current = dist[i]!; // still at j − 1: the largest value is the second sample's
      const wFirst = i / (i + j);
      const wSecond = j / (i + j);
      const top = i * j;
      // Descending, so current[u] is read at j − 1 before it is overwritten; entries above
      // i·(j − 1) are still 0 from the allocation.
      for (let u = top; u >= 0; u--) {
        const first = u >= j ? fromFirst[u - j]! : 0;
        current[u] = wSecond * current[u]! + wFirst * first;
      }
    }
  }
  const pmf = dist[m]!;
  const cdf = new Float64Array(pmf.length);
  let sum = 0;
  for (let u = 0; u < pmf.length; u++) cdf[u] = sum += pmf[u]!;
  return cdf;
}
