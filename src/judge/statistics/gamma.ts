/**
 * Log-gamma and log-binomial coefficients: the exact tests (binomial, Fisher) add up
 * probabilities whose factorials overflow a double long before the counts get large
 * (171! is already Infinity), so they work in logarithms.
 */

// Lanczos approximation, g = 7, n = 9 (the coefficients published by Paul Godfrey and used by
// Numerical Recipes 3rd ed. §6.1); relative error below 1e-15 for x > 0.
const lanczosG = 7;
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be > 0, got ${x}`);
  // Reflection keeps the series in its accurate range for small x.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = lanczos[0]!;
  for (let i = 1; i < lanczos.length; i++) sum += lanczos[i]! / (z + i);
  const t = z + lanczosG + 0.5;
  return halfLog2Pi + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Small factorials are looked up exactly: most counts in a canary are small, and exact
// integers make the tests' tails match published tables to the last digit.
const logFactorials: number[] = [0];
for (let n = 1, f = 1; n <= 170; n++) {
  f *= n;
  logFactorials.push(Math.log(f));
}

/** ln n! for a whole number n ≥ 0. */
export function logFactorial(n: number): number {
  return n < logFactorials.length ? logFactorials[n]! : logGamma(n + 1);
}

/** ln C(n, k), the log of the binomial coefficient (−Infinity when k is outside 0..n). */
export function logBinomial(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
