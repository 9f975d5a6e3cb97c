import type { Db, Queryable } from '../../store/db.js';
import { jsonParam } from '../../store/params.js';
import { asStoredJson, genesisHash, hashOf } from './canonical.js';
import { findDefect, type ChainLink, type CheckedRow } from './defects.js';
import type { AuditEntry, AuditRecord, AuditVerification } from './types.js';
import { escapeUnstorable, escapeUnstorableDeep } from '../../shared/storable-text.js';

// pg_advisory_xact_lock key: the bytes of "audt" (the schema migrations use "slip").
const auditLockKey = 0x61756474;
const batchSize = 500;
const columns = 'seq, at, actor, action, target, source, outcome, status, before, after, prev_hash, hash';

function toRecord(row: Record<string, unknown>): AuditRecord {
  return {
    seq: Number(row.seq),
    at: row.at as Date,
    actor: String(row.actor),
    action: String(row.action),
    target: String(row.target),
    source: String(row.source),
    outcome: row.outcome as AuditRecord['outcome'],
    status: Number(row.status),
    before: row.before ?? null,
    after: row.after ?? null,
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

/**
 * Append one entry to the chain. Writers queue on an advisory lock inside one transaction, so
 * two coordinators (or two requests) never both extend the same last row.
 * Example: await appendAudit(db, { actor: 'ci (tok_1)', action: 'deployment.create', target: 'project=harbor', source:
 * '10.0.0.7', outcome: 'allowed', status: 201 })
 */
export async function appendAudit(db: Db, given: AuditEntry): Promise<AuditRecord> {
  // Whatever bytes a request carried, its entry is kept: text the store cannot hold is escaped.
  const entry = storableEntry(given);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [auditLockKey]);
    const last = await tx.query<{ hash: string }>('select hash from audit_log order by seq desc limit 1');
    // seq is part of the hashed fields, so it is drawn before the insert.
    const next = await tx.query<{ seq: number }>(`select nextval(pg_get_serial_sequence('audit_log', 'seq')) as seq`);
    const unhashed: Omit<AuditRecord, 'hash'> = {
      seq: Number(next.rows[0]!.seq),
      // Truncated to what timestamptz and Date both hold exactly: milliseconds.
      at: new Date((entry.at ?? new Date()).getTime()),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      source: entry.source,
      outcome: entry.outcome,
      status: entry.status,
      before: asStoredJson(entry.before),
      after: asStoredJson(entry.after),
      prevHash: last.rows[0]?.hash ?? genesisHash,
    };
    const record: AuditRecord = { ...unhashed, hash: hashOf(unhashed) };
    await tx.query(`insert into audit_log (${columns}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
      record.seq,
      record.at,
      record.actor,
      record.action,
      record.target,
      record.source,
      record.outcome,
      record.status,
      record.before === null ? null : jsonParam(record.before),
      record.after === null ? null : jsonParam(record.after),
      record.prevHash,
      record.hash,
    ]);
    return record;
  });
}

/** Rows in seq order, fetched a batch at a time (keyset on seq) so a long log is never held whole. */
async function* rowsInOrder(db: Queryable, filter: { since?: Date; until?: Date } = {}): AsyncGenerator<AuditRecord> {
  let after = 0;
  for (;;) {
    const { rows } = await db.query(
      `select ${columns} from audit_log
       where seq > $1 and ($2::timestamptz is null or at >= $2) and ($3::timestamptz is null or at < $3)
       order by seq limit $4`,
      [after, filter.since ?? null, filter.until ?? null, batchSize],
    );
    for (const row of rows) yield toRecord(row);
    if (rows.length < batchSize) return;
    after = Number(rows.at(-1)!.seq);
  }
}

/**
 * Walk the whole chain and name the first row that is not what was appended: its own hash
 * does not match its fields (changed), or it does not follow the row before it (a row was
 * deleted, inserted, or replaced with a recomputed hash).
 */
export async function verifyAudit(db: Queryable): Promise<AuditVerification> {
  const recent: ChainLink[] = [{ seq: 0, hash: genesisHash }];
  let rows = 0;
  let head: ChainLink | undefined;
  // One row of lookahead: a link that matches no row is judged by whether the next row follows it.
  let pending: CheckedRow | undefined;
  const check = (row: CheckedRow, next: CheckedRow | undefined): AuditVerification | undefined => {
    rows++;
    const defect = findDefect(row, recent, next);
    if (defect) return { ok: false, rows, firstBad: defect, ...(head ? { head } : {}) };
    head = { seq: row.record.seq, hash: row.record.hash };
    recent.push(head);
    // Enough to recognise a run of inserted rows; a longer run is still reported, as deleted/changed.
    if (recent.length > 1001) recent.shift();
    return undefined;
  };
  for await (const record of rowsInOrder(db)) {
    const row = { record, computed: hashOf(record) };
    if (pending) {
      const bad = check(pending, row);
      if (bad) return bad;
    }
    pending = row;
  }
  if (pending) {
    const bad = check(pending, undefined);
    if (bad) return bad;
  }
  return { ok: true, rows, ...(head ? { head } : {}) };
}

/** Entries at or after `since` (and before `until`), oldest first, as plain JSON objects. */
export async function* exportAudit(db: Queryable, since: Date, until?: Date): AsyncGenerator<Record<string, unknown>> {
  for await (const r of rowsInOrder(db, { since, ...(until ? { until } : {}) })) {
    yield { ...r, at: r.at.toISOString() };
  }
}

/** The entry with NUL characters and unpaired surrogates escaped in every text, so no request's bytes can keep it out.
 * */
function storableEntry(entry: AuditEntry): AuditEntry {
  return {
    ...entry,
    actor: escapeUnstorable(entry.actor),
    action: escapeUnstorable(entry.action),
    target: escapeUnstorable(entry.target),
    source: escapeUnstorable(entry.source),
    ...(entry.before !== undefined ? { before: escapeUnstorableDeep(entry.before) } : {}),
    ...(entry.after !== undefined ? { after: escapeUnstorableDeep(entry.after) } : {}),
  };
}
