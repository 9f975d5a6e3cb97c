import type { PGlite } from '@electric-sql/pglite';

/**
 * Every execution of a statement is planned for the tables as they are then. The store keeps each statement
 * prepared (pglite-prepared.ts), and PostgreSQL switches a prepared statement to one generic plan after five
 * executions, kept until the table's statistics change. PGlite has no autovacuum, so they never do: a plan made
 * while a table was small stays. The worker's batch update of ended attempts, first planned while the outbox held a
 * handful of deliveries, kept a sequential scan of notify_deliveries: 5.8 ms per batch of ~18 late in bench:notify's
 * burst, against 1.3 ms planned afresh, and 20 % less CPU on PGlite's thread over the burst (3.7 → 2.9–3.0 s).
 * Planning again costs a simple statement a few hundredths of a millisecond. The PostgreSQL driver sends
 * unnamed statements, which are planned this way already.
 */
export async function planEveryExecution(pglite: Pick<PGlite, 'exec'>): Promise<void> {
  await pglite.exec('set plan_cache_mode = force_custom_plan');
}
