/** "Did you mean" for misspelled keys, environments and strategy types. */

/**
 * Edit distance (insert, delete, substitute), case-insensitive: "pathprefix" is one step from nowhere.
 * By hand on purpose: twelve lines of the textbook algorithm, run only while writing an error message
 * over a few short keys; a package (fastest-levenshtein, leven) would replace these lines only, since
 * the case folding, the tolerance and the prefix rule below are ours either way.
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The known word closest to `word`, when it is close enough to be a plausible typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  // Short words tolerate one slip, longer ones two: "heath" → "health", but "heath" ↛ "path".
  const tolerance = word.length <= 5 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (bestDistance <= tolerance) return best;
  // Abbreviations: "prod" → "production", when only one known word starts that way.
  const extensions =
    word.length >= 3 ? known.filter((candidate) => candidate.toLowerCase().startsWith(word.toLowerCase())) : [];
  return extensions.length === 1 ? extensions[0] : undefined;
}

/** ` (did you mean "x"?)`, or ` (expected one of: a, b)` when nothing is close; for appending to a message. */
export function hint(word: string, known: readonly string[], noun = 'one of'): string {
  const guess = closest(word, known);
  if (guess !== undefined) return ` (did you mean "${guess}"?)`;
  return known.length > 0 ? ` (expected ${noun}: ${known.join(', ')})` : '';
}
