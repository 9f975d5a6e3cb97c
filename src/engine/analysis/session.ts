import type { AnalysisConfig } from '../../config/model.js';
import { judge } from '../../judge/judge.js';
import type { AvailabilityInput, Verdict } from '../../judge/model.js';
import type { Measurement, SignalQuery, SignalSource } from '../../signals/signal-source.js';
import { judgeSettingsOf } from './settings.js';

/**
 * The analysis of one canary deployment: its signal sources (which may keep cursors, so one
 * session per deployment) and the judge. `look` measures a window and asks for a verdict.
 */
export class AnalysisSession {
  private consecutiveErrors = 0;

  constructor(
    readonly deploymentId: string,
    private readonly sources: SignalSource[],
    private readonly analysis: AnalysisConfig,
    private readonly query: Omit<SignalQuery, 'from' | 'to'>,
  ) {}

  /** Measure [from, now) with every source and judge it. `final` at the end of an analyze step. */
  async look(
    from: number,
    now: number,
    availability: AvailabilityInput | undefined,
    final: boolean,
    signal?: AbortSignal,
  ): Promise<{ verdict: Verdict; errors: Measurement[]; consecutiveErrors: number }> {
    const query: SignalQuery = { ...this.query, from, to: now };
    const measurements = (await Promise.all(this.sources.map((s) => s.measure(query, signal)))).flat();
    const errors = measurements.filter((m) => m.phase === 'error');
    // Only the continuous watch counts consecutive errors (a gate's look is not one more in the row).
    if (!final) this.consecutiveErrors = errors.length > 0 ? this.consecutiveErrors + 1 : 0;
    const verdict = judge({
      measurements,
      ...(availability ? { availability } : {}),
      settings: judgeSettingsOf(this.analysis),
      now,
      final,
    });
    return { verdict, errors, consecutiveErrors: this.consecutiveErrors };
  }

  /** Release the sources. */
  async close(): Promise<void> {
    await Promise.allSettled(this.sources.map((s) => s.close()));
  }
}
