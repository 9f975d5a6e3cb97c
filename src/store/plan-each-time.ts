/**
 * Statements that must be planned for the tables as they are at each execution. The store keeps PGlite's statements
 * prepared (pglite-prepared.ts), and PostgreSQL gives a prepared statement one generic plan after five executions,
 * kept until the table's statistics change. PGlite has no autovacuum, so they never do: a plan made while a table was
 * small stays. The worker's batch update of ended attempts joins its batch to notify_deliveries by id; first planned
 * while the outbox held a handful of rows, it kept a sequential scan of the whole table: 5.8 ms per batch of ~18 late
 * in bench:notify's burst against 1.3 ms planned afresh, and PGlite's thread used 20 % more CPU over the burst.
 * Planning every statement afresh (plan_cache_mode = force_custom_plan) fixed that but cost bench:scale 20 % more CPU
 * per step (5.3–5.6 → 6.4–6.7 ms), so only the statements marked with this run that way (unnamed, planned at bind).
 * On PostgreSQL the mark is a comment: its driver sends unnamed statements, planned this way already.
 */
export const planEachTime = '/* slipway: plan each time */';

/** `sql`, marked to be planned at every execution. */
export function plannedEachTime(sql: string): string {
  return `${planEachTime}\n${sql}`;
}
