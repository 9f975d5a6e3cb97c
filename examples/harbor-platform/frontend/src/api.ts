/** What the page sends to POST /api/quotes. */
export interface QuoteInput {
  vesselName: string;
  tonnage: number;
  vesselClass: string;
  routeRisk: number;
  flagState?: string;
}

/** What the backend answers: the policy it stored and who priced it. */
export interface Quote {
  policyId: number;
  vesselName: string;
  flagState: string | null;
  premium: number;
  currency: string;
  release: string;
  pricingRelease: string;
}

export type QuoteResult = { ok: true; quote: Quote } | { ok: false; problems: string[] };

interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
}

/** Ask the backend for a quote; validation problems come back as "field: message" lines. */
export async function requestQuote(input: QuoteInput): Promise<QuoteResult> {
  let response: Response;
  try {
    response = await fetch('/api/quotes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
  } catch (e) {
    return { ok: false, problems: [`the quote service cannot be reached (${(e as Error).message})`] };
  }
  const body = await response.json().catch(() => null);
  if (response.ok && body) return { ok: true, quote: body as Quote };
  if (response.status === 422 && Array.isArray(body?.detail))
    return {
      ok: false,
      problems: (body.detail as ValidationDetail[]).map((d) => `${d.loc.slice(1).join('.')}: ${d.msg}`),
    };
  return { ok: false, problems: [`the quote service answered ${response.status}: ${body?.error ?? 'no details'}`] };
}
