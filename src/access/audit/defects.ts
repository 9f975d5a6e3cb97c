import type { AuditRecord, AuditVerification } from './types.js';

/** A row already verified: its seq and hash. seq 0 stands for the start of the log (the genesis hash). */
export interface ChainLink {
  seq: number;
  hash: string;
}

type Defect = NonNullable<AuditVerification['firstBad']>;

/**
 * What is wrong with `record`, given the verified rows before it (`recent`, oldest first, never
 * empty) and the hash its fields give (`computed`); undefined when it extends the chain.
 * A broken link is judged first: a row pointing back past its predecessor means the rows in
 * between were inserted; a gap in seq means rows were deleted; otherwise the predecessor was
 * rewritten with a recomputed hash.
 */
export function findDefect(record: AuditRecord, recent: ChainLink[], computed: string): Defect | undefined {
  const prev = recent.at(-1)!;
  if (record.prevHash !== prev.hash) {
    const anchor = recent.findLastIndex((link) => link.hash === record.prevHash);
    if (anchor >= 0) {
      const forged = recent[anchor + 1]!;
      const after = anchor === 0 && recent[0]!.seq === 0 ? 'the start of the log' : `row ${recent[anchor]!.seq}`;
      return {
        seq: forged.seq,
        reason: 'inserted',
        detail: `row ${forged.seq} was inserted: row ${record.seq} was appended right after ${after}`,
      };
    }
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
        detail: `rows between row ${prev.seq} and row ${record.seq} were deleted: row ${record.seq} was appended after a row that is gone`,
      };
    }
    return {
      seq: prev.seq,
      reason: 'changed',
      detail: `row ${prev.seq} was changed: its hash was recomputed, but row ${record.seq} was appended after a different row ${prev.seq}`,
    };
  }
  if (computed !== record.hash) {
    return {
      seq: record.seq,
      reason: 'changed',
      detail: `row ${record.seq} was changed: its fields no longer give its hash`,
    };
  }
  return undefined;
}
