// Premium model for hull & machinery cover: a base rate per vessel class, scaled by gross
// tonnage (diminishing per tonne) and by the route's risk grade. Deterministic, so a canary
// can check that a known quote still returns the known premium.

/** Annual base premium in USD per vessel class. */
export const baseRates = {
  bulk: 18_000,
  container: 22_000,
  tanker: 31_000,
  passenger: 42_000,
  fishing: 9_500,
};

/** Route risk grade 1 (sheltered coastal) … 5 (war-risk or ice-class waters). */
const riskFactors = [1.0, 1.15, 1.4, 1.8, 2.6];

/**
 * Validate a quote request; returns a list of problems, each naming the field.
 * @param {unknown} body
 */
export function validateQuote(body) {
  const problems = [];
  if (typeof body !== 'object' || body === null) return ['body: expected a JSON object'];
  const { tonnage, vesselClass, routeRisk } = body;
  if (typeof tonnage !== 'number' || !Number.isFinite(tonnage) || tonnage <= 0 || tonnage > 500_000)
    problems.push('tonnage: expected a number of gross tonnes between 1 and 500000');
  if (typeof vesselClass !== 'string' || !(vesselClass in baseRates))
    problems.push(`vesselClass: expected one of ${Object.keys(baseRates).join(', ')}`);
  if (!Number.isInteger(routeRisk) || routeRisk < 1 || routeRisk > 5)
    problems.push('routeRisk: expected an integer from 1 to 5');
  return problems;
}

/**
 * Premium in USD, rounded to the cent.
 * @param {{ tonnage: number, vesselClass: keyof typeof baseRates, routeRisk: number }} quote
 * @param {string} model "v1" (default) or "v2" (adds a 3 % surcharge above 50,000 GT)
 */
export function premiumFor(quote, model = 'v1') {
  const tonnageFactor = (quote.tonnage / 10_000) ** 0.6;
  let premium = baseRates[quote.vesselClass] * tonnageFactor * riskFactors[quote.routeRisk - 1];
  if (model === 'v2' && quote.tonnage > 50_000) premium *= 1.03;
  return Math.round(premium * 100) / 100;
}
