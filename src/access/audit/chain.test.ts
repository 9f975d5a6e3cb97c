import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import type { Queryable } from '../../store/db.js';
import { canonicalJson, genesisHash, hashOf } from './canonical.js';
import { appendAudit, exportAudit, verifyAudit } from './chain.js';
import type { AuditEntry } from './types.js';

function entry(i: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: `ci (tok_${i})`,
    action: 'deployment.create',
    target: `project=harbor service=api n=${i}`,
    source: '10.0.0.7',
    outcome: 'allowed',
    status: 201,
    ...extra,
  };
}

/** Tampering the way someone with table rights would: the append-only trigger switched off first. */
async function tamper(db: Queryable, sql: string, params: unknown[] = []): Promise<void> {
  await db.query('alter table audit_log disable trigger user');
  await db.query(sql, params);
  await db.query('alter table audit_log enable trigger user');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

it('canonical JSON sorts keys at every level and drops undefined members', () => {
  expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: 'x' }], z: null })).toBe(
    '{"a":[{"d":2,"e":"x"}],"b":1,"z":null}',
  );
});

describeEachDriver('audit chain', (getDb) => {
  it('appends rows linked to each other and verifies them', async () => {
    const db = getDb();
    const first = await appendAudit(
      db,
      entry(1, { before: { digest: 'a' }, after: { digest: 'b', nested: { y: 1, x: [1, 'two'] } } }),
    );
    const second = await appendAudit(db, entry(2));
    expect(first.prevHash).toBe(genesisHash);
    expect(second.prevHash).toBe(first.hash);
    expect(second.seq).toBe(first.seq + 1);
    // The stored row (jsonb reorders keys) hashes to what was appended.
    const [stored] = await collect(exportAudit(db, new Date(0)));
    expect(stored).toMatchObject({
      seq: first.seq,
      hash: first.hash,
      after: { digest: 'b', nested: { x: [1, 'two'], y: 1 } },
    });
    expect(await verifyAudit(db)).toEqual({ ok: true, rows: 2, head: { seq: second.seq, hash: second.hash } });
  });

  it('an empty log verifies', async () => {
    expect(await verifyAudit(getDb())).toEqual({ ok: true, rows: 0 });
  });

  it('refuses UPDATE and DELETE while the append-only trigger is on', async () => {
    const db = getDb();
    await appendAudit(db, entry(1));
    await expect(db.query(`update audit_log set actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(db.query('delete from audit_log')).rejects.toThrow(/append-only/);
  });

  it('a changed field: that row is named "changed"', async () => {
    const db = getDb();
    for (let i = 1; i <= 5; i++) await appendAudit(db, entry(i));
    await tamper(db, `update audit_log set actor = 'someone else' where seq = 3`);
    expect(await verifyAudit(db)).toMatchObject({ ok: false, rows: 3, firstBad: { seq: 3, reason: 'changed' } });
  });

  it('a changed row whose hash was recomputed: named "changed" through the next row', async () => {
    const db = getDb();
    for (let i = 1; i <= 4; i++) await appendAudit(db, entry(i));
    const [row2] = (await collect(exportAudit(db, new Date(0)))).filter((r) => r.seq === 2);
    const forged = {
      ...(row2 as Record<string, unknown>),
      actor: 'someone else',
      at: new Date(String(row2!.at)),
    } as Parameters<typeof hashOf>[0];
    await tamper(db, 'update audit_log set actor = $1, hash = $2 where seq = 2', [forged.actor, hashOf(forged)]);
    expect(await verifyAudit(db)).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'changed' } });
  });

  it('a deleted middle row: "deleted" at the next seq', async () => {
    const db = getDb();
    for (let i = 1; i <= 5; i++) await appendAudit(db, entry(i));
    await tamper(db, 'delete from audit_log where seq = 3');
    const result = await verifyAudit(db);
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 4, reason: 'deleted' } });
    expect(result.firstBad!.detail).toMatch(/between row 2 and row 4 were deleted/);
  });

  it('a deleted first row: "deleted" at the new first row', async () => {
    const db = getDb();
    for (let i = 1; i <= 3; i++) await appendAudit(db, entry(i));
    await tamper(db, 'delete from audit_log where seq = 1');
    expect(await verifyAudit(db)).toMatchObject({ ok: false, rows: 1, firstBad: { seq: 2, reason: 'deleted' } });
  });

  it('a forged row inserted in the middle with a recomputed hash: "inserted" names it', async () => {
    const db = getDb();
    for (let i = 1; i <= 5; i++) await appendAudit(db, entry(i));
    // Make room after row 2 (seq is hashed, but the break is found at the link first), then
    // insert a row that chains correctly onto row 2.
    await tamper(db, 'update audit_log set seq = seq + 100 where seq > 2');
    const row2 = (await db.query<{ hash: string }>('select hash from audit_log where seq = 2')).rows[0]!;
    const forged = {
      ...entry(99, { actor: 'ghost (tok_x)' }),
      seq: 3,
      at: new Date(),
      before: null,
      after: null,
      prevHash: row2.hash,
    };
    await db.query(
      `insert into audit_log (seq, at, actor, action, target, source, outcome, status, prev_hash, hash) values ($1, ` +
        `$2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        forged.seq,
        forged.at,
        forged.actor,
        forged.action,
        forged.target,
        forged.source,
        forged.outcome,
        forged.status,
        forged.prevHash,
        hashOf(forged),
      ],
    );
    const result = await verifyAudit(db);
    expect(result).toMatchObject({ ok: false, firstBad: { seq: 3, reason: 'inserted' } });
    expect(result.firstBad!.detail).toMatch(/row 3 was inserted: row 103 was appended right after row 2/);
  });

  it('50 concurrent appends keep one unbroken chain', async () => {
    const db = getDb();
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => appendAudit(db, entry(i))));
    expect(new Set(records.map((r) => r.seq)).size).toBe(50);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, rows: 50 });
    const rows = await collect(exportAudit(db, new Date(0)));
    expect(rows.map((r) => r.seq)).toEqual([...records.map((r) => r.seq)].sort((a, b) => a - b));
  });

  it('export streams the rows at or after since (and before until), oldest first', async () => {
    const db = getDb();
    const day = (d: string) => new Date(`2026-10-${d}T12:00:00.000Z`);
    for (const d of ['01', '02', '03', '04'])
      await appendAudit(db, entry(Number(d), { at: day(d), after: { day: d } }));
    const since = await collect(exportAudit(db, day('02')));
    expect(since.map((r) => r.after)).toEqual([{ day: '02' }, { day: '03' }, { day: '04' }]);
    expect(since[0]).toEqual({
      seq: 2,
      at: '2026-10-02T12:00:00.000Z',
      actor: 'ci (tok_2)',
      action: 'deployment.create',
      target: 'project=harbor service=api n=2',
      source: '10.0.0.7',
      outcome: 'allowed',
      status: 201,
      before: null,
      after: { day: '02' },
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const window = await collect(exportAudit(db, day('02'), day('04')));
    expect(window.map((r) => r.seq)).toEqual([2, 3]);
  });

  it('export and verify page through more rows than one batch', async () => {
    const db = getDb();
    for (let i = 0; i < 1200; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => appendAudit(db, entry(i + j))));
    expect((await collect(exportAudit(db, new Date(0)))).length).toBe(1200);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, rows: 1200 });
  }, 120_000);
});

it('the canonical form is RFC 8785 (JCS) for stored values: the same bytes as the canonicalize package', async () => {
  const canonicalize = (await import('canonicalize')).default as unknown as (v: unknown) => string;
  const random = (() => {
    let a = 7;
    return () => {
      a = (a * 1103515245 + 12345) % 2 ** 31;
      return a / 2 ** 31;
    };
  })();
  const strings = ['', 'a', 'é', '🚢', '\u2028', '"quoted"\\', '\u0007', 'z', 'A', 'ä', '\ud7ff'];
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 3 || r < 0.3)
      return [1, -0.5, 1e21, 1e-7, 123456789.125, 0, true, false, null][Math.floor(random() * 9)];
    if (r < 0.5) return strings[Math.floor(random() * strings.length)];
    if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(random() * 5) }, () => [
        strings[Math.floor(random() * strings.length)]!,
        value(depth + 1),
      ]),
    );
  };
  for (let i = 0; i < 2000; i++) {
    // What the chain hashes is what jsonb gives back: JSON-parsed values.
    const stored = JSON.parse(JSON.stringify(value(0)));
    expect(canonicalJson(stored)).toBe(canonicalize(stored));
  }
});
