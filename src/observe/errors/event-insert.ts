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
/** Rows per statement on PostgreSQL: 8 parameters each, well under the protocol's 65,535. */
const rowsPerStatement = 1000;

/**
 * How payloads travel to the store: `binary`, a Buffer parameter that pg sends as raw bytes in the binary format
 * (PostgreSQL copies them: no base64 to make in the coordinator, nor to decode in the server); `base64`, a text
 * parameter that PostgreSQL decodes, for PGlite, which would turn a Buffer into hex in JavaScript.
 */
export type PayloadParam = 'binary' | 'base64';

/**
 * Insert a batch of events, an event id already stored being skipped: a multi-row VALUES, each
 * payload one parameter (see PayloadParam). Measured on 3,000 events of 6–10 KB (load ~15, both
 * drivers): about half the CPU of the former single jsonb parameter holding every payload, which
 * PostgreSQL had to parse as a 4 MB JSON document first (PGlite 0.9–1.5 s against 1.5–2.0 s).
 */
export async function insertEvents(
  tx: Queryable,
  rows: EventRow[],
  receivedAt: Date,
  payloads: PayloadParam = 'base64',
): Promise<void> {
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
