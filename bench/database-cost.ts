import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Db } from '../src/store/db.js';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const ticksPerSecond = 100;

/** CPU ms so far of each server process serving this database (the benchmarks' server runs on this machine). */
async function backendsCpuMs(db: Db): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const { rows } = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database()',
  );
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // After the command name (which may hold spaces): field 3 (state) onwards; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond);
  }
  return out;
}

/**
 * CPU time the PostgreSQL server spent on this database's connections since the call: with the coordinator's own
 * CPU, the whole cost of a unit of work, which unlike latency does not depend on how busy the shared machine is.
 * A connection that closed before `spentMs` is missed (the pool closes idle ones after 30 s: read it right after the
 * run). Undefined for PGlite, whose database runs in the coordinator's process (its CPU is the coordinator's).
 */
export async function databaseCpuMeter(db: Db): Promise<{ spentMs(): Promise<number | undefined> }> {
  if (db.driver !== 'postgres') return { spentMs: async () => undefined };
  const before = await backendsCpuMs(db);
  return {
    async spentMs() {
      let total = 0;
      // A connection opened during the run counts from zero.
      for (const [pid, ms] of await backendsCpuMs(db)) total += ms - (before.get(pid) ?? 0);
      return total;
    },
  };
}

/**
 * Statements sent to the PostgreSQL server by every `pg` client of this process from now on (BEGIN and COMMIT
 * included), and commits: a statement outside a transaction commits on its own, one inside commits at its COMMIT.
 * Counted where the driver sends them, so statements inside `db.transaction` count too (a wrapper of `db.query`
 * misses them).
 */
export function countStatements(): { statements: number; commits: number } {
  const counts = { statements: 0, commits: 0 };
  const open = new WeakSet<object>();
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const first = args[0];
    const text = (typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text) ?? '';
    const verb = text.trimStart().slice(0, 8).toUpperCase();
    counts.statements++;
    if (verb.startsWith('BEGIN')) open.add(this);
    else if (verb.startsWith('COMMIT') || verb.startsWith('ROLLBACK')) {
      open.delete(this);
      if (verb.startsWith('COMMIT')) counts.commits++;
    } else if (!open.has(this)) counts.commits++;
    return query.apply(this, args);
  };
  return counts;
}
