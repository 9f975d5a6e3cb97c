/**
 * One run of bench:wasm-tier, in a process of its own started with or without `--liftoff-only` (wasm-tier.ts):
 * PGlite started, then rounds of what a coordinator's store does most (an event insert, a deployment upsert, every
 * fifth round a page of events). Prints one JSON line. Imports nothing that sets V8 flags (bench/support.ts does).
 */
import { PGlite } from '@electric-sql/pglite';

const rounds = Number(process.argv[2] ?? 6000);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const start = cpuMs();
const db = new PGlite();
await db.waitReady;
await db.exec(`create table ev (
    id bigserial primary key, project text, kind text, at timestamptz default now(), data jsonb);
  create index on ev (project, id);
  create table dep (id text primary key, state text, step int, updated timestamptz);`);
const ready = cpuMs() - start;
const phases: number[] = [];
const perPhase = Math.max(1, Math.floor(rounds / 6));
for (let p = 0; p < 6; p++) {
  const t = cpuMs();
  for (let i = 0; i < perPhase; i++) {
    const n = p * perPhase + i;
    await db.query('insert into ev (project, kind, data) values ($1, $2, $3) returning id', [
      'harbor',
      'step.done',
      JSON.stringify({ n, message: 'x'.repeat(100) }),
    ]);
    await db.query(
      'insert into dep (id, state, step, updated) values ($1, $2, $3, now()) ' +
        'on conflict (id) do update set state = excluded.state, step = excluded.step, updated = now()',
      [`d${n % 50}`, 'running', n],
    );
    if (n % 5 === 0)
      await db.query('select id, kind, data from ev where project = $1 and id > $2 order by id limit 100', [
        'harbor',
        n - 50,
      ]);
  }
  phases.push(Math.round(((cpuMs() - t) / perPhase) * 1000) / 1000);
}
await db.close();
process.stdout.write(
  `${JSON.stringify({ readyCpuMs: Math.round(ready), msPerRound: phases, processCpuMs: Math.round(cpuMs()) })}\n`,
);
