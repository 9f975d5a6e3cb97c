/** The migration runner on PostgreSQL: apply, rollback, status. See apply.ts for the guarantees. */
export { applyMigrations, type ApplyOptions, type ApplyResult } from './apply.js';
export { rollbackMigrations, type RollbackOptions, type RollbackResult } from './rollback.js';
export { migrationStatus, type MigrationState, type StatusRow } from './status.js';
export type { RunnerEvent, RunnerEventType, RunnerEventSink } from './events.js';
export type { RetryPolicy } from './options.js';
export { historyTable, type HistoryRow } from './history.js';
export { migrationLockKey } from './lock.js';
