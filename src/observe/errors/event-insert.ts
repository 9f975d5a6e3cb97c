import type { Queryable } from '../../store/db.js';

/** One error event row as digest.ts stores it; `payload` is what the SDK sent, compressed (see digest.ts). */
export interface EventRow {
  project: string;
  eventId: string;
  issueId: string;
  environment: string;
  release: string;
  level: string;
  unhandled: boolean;
  payload: Buffer;
}

const columns = 'project, event_id, issue_id, environment, release, level, unhandled, received_at, payload';
/**
 * How a driver takes the events best. `payloads`: `binary`, a Buffer parameter that pg sends as raw bytes in the
 * binary format (PostgreSQL copies them: no base64 to make in the coordinator, nor to decode in the server);
 * `base64`, a text parameter that PostgreSQL decodes (PGlite's own query would turn a Buffer into hex in JavaScript).
 * `rowsPerStatement` (8 parameters a row, well under the protocol's 65,535): on pg, statements of 25-50 rows took
 * less CPU than one of up to 500 (bench:ingest-store --batch 500, 3,000 events, interleaved: PostgreSQL 0.14-0.17
 * against 0.20-0.24 ms per event, the coordinator 0.10-0.14 against 0.15-0.23) — pg grows its message buffer by
 * copying, a few MB a statement, and PostgreSQL plans a VALUES of thousands of parameters more slowly per row.
 */
export interface InsertShape {
  payloads: 'binary' | 'base64';
  rowsPerStatement: number;
}

/**
 * Per driver. PGlite takes bytes in the binary format too since its statements go through pglite-prepared.ts: 3,000
 * bench events in batches of 200 into PGlite in its thread took 0.33 ms of CPU per event against 0.42 as base64
 * (one run each, idle machine); one statement per batch, as before.
 */
export const insertShapes = {
  postgres: { payloads: 'binary', rowsPerStatement: 50 },
  pglite: { payloads: 'binary', rowsPerStatement: 1000 },
} as const satisfies Record<string, InsertShape>;

/**
 * Insert a batch of events, an event id already stored being skipped: a multi-row VALUES, each
 * payload one parameter (see InsertShape). Measured on 3,000 events of 6–10 KB (load ~15, both
 * drivers): about half the CPU of the former single jsonb parameter holding every payload, which
 * PostgreSQL had to parse as a 4 MB JSON document first (PGlite 0.9–1.5 s against 1.5–2.0 s).
 */
export async function insertEvents(
  tx: Queryable,
  rows: EventRow[],
  receivedAt: Date,
  shape: InsertShape = insertShapes.pglite,
): Promise<void> {
  const { payloads, rowsPerStatement } = shape;
  const payload =
    payloads === 'binary' ? (n: number) => `$${n}::bytea` : (n: number) => `decode($${n}::text, 'base64')`;
  for (let at = 0; at < rows.length; at += rowsPerStatement) {
    const params: unknown[] = [receivedAt.toISOString()];
    const values: string[] = [];
    for (const r of rows.slice(at, at + rowsPerStatement)) {
      const n = params.length;
      params.push(r.project, r.eventId, r.issueId, r.environment, r.release, r.level, r.unhandled);
      params.push(payloads === 'binary' ? r.payload : r.payload.toString('base64'));
      values.push(
        `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}::boolean, $1::timestamptz, ` +
          `${payload(n + 8)})`,
      );
    }
    await tx.query(
      `insert into error_events (${columns}) values ${values.join(', ')} on conflict (project, event_id) do nothing`,
      params,
    );
  }
}
