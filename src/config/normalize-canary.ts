import type { z } from 'zod';
import type { canarySchema } from './canary-schema.js';
import type { AnalysisConfig, CanaryStep, CanaryStrategy } from './model.js';

type ParsedCanary = z.output<typeof canarySchema>;

/** "1%" or 0.01 → 0.01. */
export function share(value: string | number): number {
  return typeof value === 'number' ? value : Number(value.slice(0, -1)) / 100;
}

/** A parsed canary block → CanaryStrategy (durations in ms, shares as fractions). */
export function normalizeCanary(c: ParsedCanary, ms: (d: string | number) => number): CanaryStrategy {
  const steps: CanaryStep[] = c.steps.map((step) => {
    if (step.setWeight !== undefined) return { kind: 'setWeight', weight: step.setWeight };
    if (step.analyze !== undefined) return { kind: 'analyze', forMs: ms(step.analyze.for) };
    return typeof step.pause === 'object' ? { kind: 'pause' } : { kind: 'pause', forMs: ms(step.pause!) };
  });
  const a = c.analysis;
  const analysis: AnalysisConfig = {
    intervalMs: ms(a.interval),
    inconclusiveLimit: a.inconclusiveLimit,
    consecutiveErrorLimit: a.consecutiveErrorLimit,
    onInconclusive: a.onInconclusive,
    triggers: {
      errorRateVsBaseline: a.triggers.errorRateVsBaseline,
      p95VsBaseline: a.triggers.p95VsBaseline,
      maxErrorRate: share(a.triggers.maxErrorRate),
      maxP95Ms: ms(a.triggers.maxP95),
      unavailableForMs: ms(a.triggers.unavailableFor),
    },
    statistics: {
      confidence: share(a.statistics.confidence),
      allowedLatencyIncrease: share(a.statistics.allowedLatencyIncrease),
      allowedErrorRateIncrease: share(a.statistics.allowedErrorRateIncrease),
      minSamples: a.statistics.minSamples,
      passScore: a.statistics.passScore,
      marginalScore: a.statistics.marginalScore,
    },
    ...(a.prometheus
      ? { prometheus: { address: a.prometheus.address, metrics: a.prometheus.metrics.map((m) => ({ ...m })) } }
      : {}),
    ...(a.probes ? { probes: a.probes.map((p) => ({ ...p, expect: { ...p.expect } })) } : {}),
  };
  return { type: 'canary', steps, ...(c.scale !== undefined ? { scale: c.scale } : {}), sticky: c.sticky, analysis };
}
