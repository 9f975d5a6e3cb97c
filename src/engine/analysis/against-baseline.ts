import type { Measurement, SignalSource } from '../../signals/signal-source.js';

/**
 * After a rollout the previous release serves nothing, so there is no stable traffic to compare
 * with at the same time. This source reads as the stable figures the previous release's
 * baseline — its traffic before the new release took over — so every comparison the judge makes
 * (triggers and classifiers alike) is new release now against previous release then.
 */
export function againstBaseline(source: SignalSource): SignalSource {
  return {
    name: source.name,
    async measure(query, signal) {
      return (await source.measure(query, signal)).map(baselineAsStable);
    },
    close: () => source.close(),
  };
}

/** One measurement with its baseline in the stable place (unchanged when it has none). */
export function baselineAsStable(m: Measurement): Measurement {
  if (m.phase !== 'ok') return m;
  if (m.kind === 'requests' && m.baseline) return { ...m, stable: m.baseline };
  if (m.kind === 'value' && m.baseline !== undefined) return { ...m, stable: m.baseline };
  if (m.kind === 'rum' && m.baseline) return { ...m, stable: m.baseline };
  // Issues keep their seenInOther (whether the previous release ever had them): only the counts move.
  if (m.kind === 'errors' && m.baseline) return { ...m, stable: m.baseline };
  return m;
}
