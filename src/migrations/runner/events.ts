/**
 * What the runner reports while it works. The deployment engine forwards these to a
 * deployment's events, so every message stands on its own (names the migration, the database
 * as host:port/db) and never carries a URL or a password.
 */

export type RunnerEventType =
  | 'lock-acquired'
  | 'migration-started'
  | 'migration-applied'
  | 'migration-failed'
  | 'retry'
  | 'statement-applied'
  | 'invalid-index-dropped'
  | 'rolled-back';

export interface RunnerEvent {
  type: RunnerEventType;
  /** The migration id, e.g. `0003_add_vessel_flag`. */
  migration?: string;
  message: string;
  durationMs?: number;
}

export type RunnerEventSink = (event: RunnerEvent) => void;

/**
 * Wraps the caller's listener so a throwing listener cannot abort a migration halfway
 * (a non-transactional migration would then stop between two statements for no reason).
 */
export function eventSink(onEvent: RunnerEventSink | undefined): RunnerEventSink {
  return (event) => {
    if (!onEvent) return;
    try {
      onEvent(event);
    } catch {
      // The listener's problem; the migration carries on.
    }
  };
}
