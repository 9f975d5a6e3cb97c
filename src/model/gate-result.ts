/** What running one gate produced: stored in gate_results and emitted as gate.passed / gate.failed. */

export type GatePhase = 'before' | 'after';
export type GateKind = 'command' | 'coverage' | 'smoke';
/** pass / fail: the check ran and said so; error: it could not run (program missing, file unreadable). */
export type GateOutcome = 'pass' | 'fail' | 'error';

export interface GateResult {
  name: string;
  kind: GateKind;
  outcome: GateOutcome;
  /** One line for people: what was checked and why it failed. */
  message: string;
  durationMs: number;
  /** Commands only; absent when the process was killed or never started. */
  exitCode?: number;
  /** The last lines of the command's output, or of the smoke response body. */
  outputTail?: string;
  /** Kind-specific figures (coverage percentages, HTTP status, timeout). */
  detail: Record<string, unknown>;
}
