import type { Quote } from './api';

const usd = (amount: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);

/**
 * The answer panel. Loaded lazily on the first quote, so it is a chunk of its own: a page opened
 * before a release switch fetches its own release's chunk after the switch (what skew protection
 * keeps serving). It names the page release too, so every release's chunk differs.
 */
export default function QuoteResult({ quote }: { quote: Quote }) {
  return (
    <section className="quote" aria-live="polite">
      <p>
        Premium for {quote.vesselName}
        {quote.flagState ? ` (${quote.flagState})` : ''}:{' '}
        <strong data-testid="premium">{usd(quote.premium, quote.currency)}</strong>
      </p>
      <p className="meta">
        Policy <span data-testid="policy">#{quote.policyId}</span> · backend{' '}
        <span data-testid="backend-release">{quote.release}</span> · pricing{' '}
        <span data-testid="pricing-release">{quote.pricingRelease}</span> · page {__RELEASE__}
      </p>
    </section>
  );
}
