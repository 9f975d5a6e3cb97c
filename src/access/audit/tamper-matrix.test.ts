import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import type { Queryable } from '../../store/db.js';
import { hashOf } from './canonical.js';
import { appendAudit, verifyAudit } from './chain.js';
import type { AuditRecord, AuditVerification } from './types.js';

/**
 * Every kind of tampering, at every position of a seven-row log, as someone with table rights
 * would do it (the append-only trigger switched off): `verify` names the row that was tampered
 * with and the kind. The limits of a chain without an outside anchor are asserted too: a changed
 * or deleted last row leaves a valid chain whose head differs from the one noted before.
 */
const rows = 7;

async function withTriggerOff(db: Queryable, fn: () => Promise<void>): Promise<void> {
  await db.query('alter table audit_log disable trigger user');
  try {
    await fn();
  } finally {
    await db.query('alter table audit_log enable trigger user');
  }
}

async function freshLog(db: Queryable & Parameters<typeof appendAudit>[0]): Promise<AuditRecord[]> {
  await withTriggerOff(db, async () => {
    await db.query('delete from audit_log');
  });
  await db.query(`select setval(pg_get_serial_sequence('audit_log', 'seq'), 1, false)`);
  const out: AuditRecord[] = [];
  for (let i = 1; i <= rows; i++)
    out.push(
      await appendAudit(db, {
        actor: `ci (tok_${i})`,
        action: 'deployment.create',
        target: `n=${i}`,
        source: '10.0.0.7',
        outcome: 'allowed',
        status: 201,
      }),
    );
  return out;
}

const write = (db: Queryable, r: AuditRecord) =>
  db.query(
    `insert into audit_log (seq, at, actor, action, target, source, outcome, status, before, after, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [r.seq, r.at, r.actor, r.action, r.target, r.source, r.outcome, r.status, null, null, r.prevHash, r.hash],
  );

type Tamper = (db: Queryable, log: AuditRecord[], k: number) => Promise<void>;
type Expected = { seq: number; reason: string } | { ok: true; head: 'changed' | number };

/** Kind → how it is done at row k → what verify must say (undefined: the kind does not apply at k). */
const kinds: Record<string, { tamper: Tamper; expect: (k: number) => Expected | undefined }> = {
  'a field edited': {
    tamper: (db, _log, k) => db.query(`update audit_log set actor = 'mallory' where seq = $1`, [k]).then(() => {}),
    expect: (k) => ({ seq: k, reason: 'changed' }),
  },
  'a field edited and prev_hash replaced': {
    tamper: (db, _log, k) =>
      db
        .query(`update audit_log set actor = 'mallory', prev_hash = repeat('1', 64) where seq = $1`, [k])
        .then(() => {}),
    expect: (k) => ({ seq: k, reason: 'changed' }),
  },
  'only prev_hash replaced': {
    tamper: (db, _log, k) =>
      db.query(`update audit_log set prev_hash = repeat('1', 64) where seq = $1`, [k]).then(() => {}),
    expect: (k) => ({ seq: k, reason: 'changed' }),
  },
  'only prev_hash zeroed': {
    tamper: (db, _log, k) =>
      db.query(`update audit_log set prev_hash = repeat('0', 64) where seq = $1`, [k]).then(() => {}),
    // Row 1 already starts from the zero hash: nothing changes there.
    expect: (k) => (k === 1 ? undefined : { seq: k, reason: 'changed' }),
  },
  'a field edited and the hash recomputed': {
    tamper: async (db, log, k) => {
      const forged = { ...log[k - 1]!, actor: 'mallory' };
      await db.query(`update audit_log set actor = $2, hash = $3 where seq = $1`, [k, forged.actor, hashOf(forged)]);
    },
    // The next row still points at the old hash; with a row after it to confirm it, the edited row is named.
    // The last two rows cannot be told apart from a forged last row, and the last row alone leaves a valid chain.
    expect: (k) =>
      k < rows - 1
        ? { seq: k, reason: 'changed' }
        : k === rows - 1
          ? { seq: rows, reason: 'inserted' }
          : { ok: true, head: 'changed' },
  },
  'a row deleted': {
    tamper: (db, _log, k) => db.query('delete from audit_log where seq = $1', [k]).then(() => {}),
    expect: (k) => (k < rows ? { seq: k + 1, reason: 'deleted' } : { ok: true, head: rows - 1 }),
  },
  'two rows swapped': {
    tamper: async (db, log, k) => {
      const [a, b] = [log[k - 1]!, log[k]!];
      await db.query('delete from audit_log where seq in ($1, $2)', [a.seq, b.seq]);
      await write(db, { ...b, seq: a.seq });
      await write(db, { ...a, seq: b.seq });
    },
    expect: (k) => (k < rows ? { seq: k, reason: 'changed' } : undefined),
  },
  'a row inserted after it (later rows renumbered)': {
    tamper: async (db, log, k) => {
      await db.query('update audit_log set seq = seq + 100 where seq > $1', [k]);
      const forged = { ...log[k - 1]!, seq: k + 1, actor: 'ghost (tok_x)', prevHash: log[k - 1]!.hash };
      await write(db, { ...forged, hash: hashOf(forged) });
    },
    expect: (k) => (k < rows ? { seq: k + 1, reason: 'inserted' } : undefined),
  },
  'a row forged after the last one, pointing nowhere': {
    tamper: async (db, log, k) => {
      const forged = { ...log[k - 1]!, seq: rows + 1, actor: 'ghost (tok_x)', prevHash: '1'.repeat(64) };
      await write(db, { ...forged, hash: hashOf(forged) });
    },
    expect: (k) => (k === rows ? { seq: rows + 1, reason: 'inserted' } : undefined),
  },
};

describeEachDriver(
  'audit verify names the tampered row',
  (getDb) => {
    it('every kind of tampering at every position', async () => {
      const db = getDb();
      const failures: string[] = [];
      for (const [kind, { tamper, expect: expected }] of Object.entries(kinds)) {
        for (let k = 1; k <= rows; k++) {
          const want = expected(k);
          if (!want) continue;
          const log = await freshLog(db);
          await withTriggerOff(db, () => tamper(db, log, k));
          const got: AuditVerification = await verifyAudit(db);
          const ok =
            'ok' in want
              ? got.ok &&
                (want.head === 'changed'
                  ? got.head?.seq === rows && got.head.hash !== log.at(-1)!.hash
                  : got.head?.seq === want.head)
              : !got.ok && got.firstBad?.seq === want.seq && got.firstBad.reason === want.reason;
          if (!ok) failures.push(`${kind} at row ${k}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        }
      }
      expect(failures).toEqual([]);
    }, 120_000);
  },
  { fresh: 'file' },
);
