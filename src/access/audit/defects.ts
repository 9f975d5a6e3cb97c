import type { AuditRecord, AuditVerification } from './types.js';

/** A row already verified: its seq and hash. seq 0 stands for the start of the log (the genesis hash). */
export interface ChainLink {
  seq: number;
  hash: string;
}

/** A row as read, with the hash its own fields give. */
export interface CheckedRow {
  record: AuditRecord;
  computed: string;
}

type Defect = NonNullable<AuditVerification['firstBad']>;

/**
 * What is wrong with `row`, given the verified rows before it (`recent`, oldest first, never
 * empty) and the row after it (`next`, when there is one); undefined when it extends the chain.
 *
 * A row's own hash is checked first: it covers every field, its link (prev_hash) included, so a
 * row whose fields no longer give its hash is the changed one — whichever field was edited. Only
 * a row whose own hash holds has a link that can be believed; then a broken link says what
 * happened before it: a link back past its predecessor means the rows in between were inserted, a
 * gap in seq means rows were deleted. A link to no known row is either a forged row or a
 * predecessor rewritten with a recomputed hash: the row after it decides — a genuine row has a
 * successor that follows it.
 */
export function findDefect(row: CheckedRow, recent: ChainLink[], next?: CheckedRow): Defect | undefined {
  const { record, computed } = row;
  const prev = recent.at(-1)!;
  const linked = record.prevHash === prev.hash;
  if (computed === record.hash && linked) return undefined;
  if (computed !== record.hash) {
    // Rows renumbered to make room for an insertion fail their own hash (seq is hashed) but
    // still point back at the row the inserted ones were put after.
    const anchor = record.seq !== prev.seq + 1 ? anchorOf(record, recent) : -1;
    if (anchor >= 0)
      return inserted(record, recent, anchor, ' (and renumbered since: its fields no longer give its hash)');
    return {
      seq: record.seq,
      reason: 'changed',
      detail: `row ${record.seq} was changed: its fields no longer give its hash`,
    };
  }
  const anchor = anchorOf(record, recent);
  if (anchor >= 0) return inserted(record, recent, anchor, '');
  if (prev.seq === 0) {
    return {
      seq: record.seq,
      reason: 'deleted',
      detail: `rows before row ${record.seq} were deleted: it is the first row but does not start the chain`,
    };
  }
  if (record.seq !== prev.seq + 1) {
    return {
      seq: record.seq,
      reason: 'deleted',
      detail:
        `rows between row ${prev.seq} and row ${record.seq} were deleted: row ${record.seq} was appended ` +
        `after a row that is gone`,
    };
  }
  const confirmed = next && next.computed === next.record.hash && next.record.prevHash === record.hash;
  if (confirmed) {
    return {
      seq: prev.seq,
      reason: 'changed',
      detail:
        `row ${prev.seq} was changed: its hash was recomputed, but row ${record.seq} (confirmed by row ` +
        `${next.record.seq}) was appended after a different row ${prev.seq}`,
    };
  }
  return {
    seq: record.seq,
    reason: 'inserted',
    detail:
      `row ${record.seq} was forged: it does not follow row ${prev.seq} and nothing follows it` +
      ` (or row ${prev.seq} was changed and its hash recomputed)`,
  };
}

/** Where in `recent` (not the last) the row's link points, or -1. */
function anchorOf(record: AuditRecord, recent: ChainLink[]): number {
  const at = recent.findLastIndex((link) => link.hash === record.prevHash);
  return at === recent.length - 1 ? -1 : at;
}

function inserted(record: AuditRecord, recent: ChainLink[], anchor: number, note: string): Defect {
  const forged = recent[anchor + 1]!;
  const after = anchor === 0 && recent[0]!.seq === 0 ? 'the start of the log' : `row ${recent[anchor]!.seq}`;
  return {
    seq: forged.seq,
    reason: 'inserted',
    detail: `row ${forged.seq} was inserted: row ${record.seq} was appended right after ${after}${note}`,
  };
}
