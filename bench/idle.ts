/**
 * What an idle coordinator costs: a real coordinator (as `slipway coordinator` starts it) with harbor-quote running
 * in staging (one deployment done, nothing in flight) and a notification subscription, on PGlite and on PostgreSQL.
 * After `--settle` seconds it measures, over `--seconds`, the CPU seconds of each process — the coordinator (main
 * thread apart from its other threads: PGlite's worker, the notification sender, GC), the proxy, the instances — and,
 * on PostgreSQL, the transactions committed on the benchmark's own database (pg_stat_database.xact_commit: every
 * statement outside a transaction is one) and its backends' CPU. `--sse` keeps a dashboard event stream open meanwhile.
 *
 *   npm run bench:idle -- --json [--seconds 30] [--settle 10] [--stores pglite,postgres] [--sse] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` starts the coordinator under `node --cpu-prof` (profiles in DIR; bench/profile-top.ts ranks them).
 *
 * CPU time comes from /proc (utime + stime), not wall time: on a loaded machine it is what the coordinator used,
 * however long it waited for a core.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { followDeployment } from '../src/cli/follow.js';
import { createDemoWorkspace } from '../src/demo/workspace.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { pidsWithEnv } from '../src/shared/tagged-processes.js';
import { startBenchCoordinator } from './bench-coordinator.js';
import { machine, printResult, progress, refuse, statCpuMs } from './support.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? String(process.argv[i + 1]) : fallback;
};
const seconds = Number(arg('seconds', '30'));
const settle = Number(arg('settle', '10'));
const stores = arg('stores', 'pglite,postgres').split(',');
const sse = process.argv.includes('--sse');
const cpuProf = arg('cpu-prof', '');
if (!(seconds > 0)) await refuse('--seconds: expected a number > 0');
if (!(settle >= 0)) await refuse('--settle: expected a number ≥ 0');
if (stores.some((s) => s !== 'pglite' && s !== 'postgres')) await refuse('--stores: pglite, postgres or both');

/** utime + stime (ms) of a /proc stat file: a process (all its threads) or, under task/, one thread. */
const cpuOf = (stat: string) => {
  try {
    const { user, system } = statCpuMs(stat);
    return user + system;
  } catch {
    return 0; // gone
  }
};
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** Every process of this run, by role, with its CPU (ms); the coordinator's threads apart. */
function snapshot(coordinator: number) {
  const tag = process.env.SLIPWAY_RUN!;
  const parts = { coordinatorMain: cpuOf(`/proc/${coordinator}/task/${coordinator}/stat`), coordinatorAll: 0 };
  const roles = { coordinator: 0, proxy: 0, instances: 0, other: 0 };
  const threads: Record<string, number> = {};
  for (const t of readdirSync(`/proc/${coordinator}/task`)) {
    const name = readFileSync(`/proc/${coordinator}/task/${t}/comm`, 'utf8').trim();
    const key = Number(t) === coordinator ? 'main' : name;
    threads[key] = (threads[key] ?? 0) + cpuOf(`/proc/${coordinator}/task/${t}/stat`);
  }
  for (const pid of pidsWithEnv('SLIPWAY_RUN', tag)) {
    const ms = cpuOf(`/proc/${pid}/stat`);
    const cmd = cmdline(pid);
    if (pid === coordinator) parts.coordinatorAll = ms;
    else if (/ proxy( |$)/.test(cmd)) roles.proxy += ms;
    else if (/server\.js/.test(cmd)) roles.instances += ms;
    else roles.other += ms;
  }
  roles.coordinator = parts.coordinatorAll;
  return { roles, parts, threads };
}

async function postgresDatabase() {
  const server = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `slipway_bench_idle_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect().catch((e: Error) => refuse(`PostgreSQL is not reachable: ${e.message}`));
  await admin.query(`create database ${name}`);
  onExit(async () => {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  });
  /** Transactions committed on the database, and its backends' CPU (ms; a local server only). */
  const counters = async () => {
    // pg_stat_database is refreshed by the backends at most every PGSTAT_MIN_INTERVAL (1 s): read a fresh snapshot.
    await admin.query('select pg_stat_clear_snapshot()');
    const { rows } = await admin.query<{ xact_commit: string }>(
      'select xact_commit from pg_stat_database where datname = $1',
      [name],
    );
    const backends = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
    return {
      commits: Number(rows[0]?.xact_commit ?? 0),
      backendCpuMs: backends.rows.reduce((ms, r) => ms + cpuOf(`/proc/${r.pid}/stat`), 0),
    };
  };
  return { url: Object.assign(new URL(server), { pathname: `/${name}` }).toString(), counters };
}

/** Keep the dashboard's live event stream open (as a browser does); returns how many events it delivered. */
function openEventStream(base: string, token: string, project: string) {
  const aborted = new AbortController();
  let events = 0;
  void (async () => {
    const res = await fetch(`${base}/api/v1/events?project=${project}&since=now`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: aborted.signal,
    });
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      events += (Buffer.from(chunk).toString().match(/^id:/gm) ?? []).length;
  })().catch(() => undefined);
  return { events: () => events, close: () => aborted.abort() };
}

async function run(store: 'pglite' | 'postgres') {
  const workspace = await createDemoWorkspace({
    instances: 2,
    errorReporting: false,
    // A subscription that nothing idle triggers: the notifier runs as it does for users, with nothing to send.
    extraTopLevel: [
      'notifications:',
      '  services:',
      '    ops: { type: slack, url: secret:OPS_SLACK_URL }',
      '  subscriptions:',
      '    - { on: [on-deployment-failed, on-deployment-rolled-back], to: [ops] }',
    ].join('\n'),
  });
  onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
  const postgres = store === 'postgres' ? await postgresDatabase() : undefined;
  const { coordinator, client, base, token, shutdown } = await startBenchCoordinator(workspace, {
    ...(postgres ? { databaseUrl: postgres.url } : {}),
    cpuProf,
  });
  const project = 'harbor-quote';
  const { id } = (
    await client.call<{ deployment: { id: string } }>('POST', `/api/v1/projects/${project}/deployments`, {
      service: 'quote-api',
      environment: 'staging',
      version: '1.0.0',
    })
  ).deployment;
  const done = await followDeployment(client, id, () => undefined);
  if (done.state !== 'succeeded') await refuse(`${store}: the first deployment ended ${done.state}`);
  const stream = sse ? openEventStream(base, token, project) : undefined;
  progress(`${store}: deployed; settling ${settle} s, then measuring ${seconds} s…`);
  await new Promise((r) => setTimeout(r, settle * 1000));
  const pid = coordinator.pid!;
  const load = loadavg()[0]!;
  const before = snapshot(pid);
  const storeBefore = await postgres?.counters();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = snapshot(pid);
  const storeAfter = await postgres?.counters();
  stream?.close();
  await shutdown();
  const s = (ms: number) => Math.round(ms) / 1000;
  const perSecond = (n: number) => Math.round((n / seconds) * 10) / 10;
  const delta = <K extends string>(a: Record<K, number>, b: Record<K, number>) =>
    Object.fromEntries(Object.keys(b).map((k) => [k, s(b[k as K] - (a[k as K] ?? 0))])) as Record<K, number>;
  return {
    store,
    seconds,
    loadAverage: Math.round(load * 10) / 10,
    // CPU seconds over the window.
    cpuSeconds: delta(before.roles, after.roles),
    coordinator: {
      mainThread: s(after.parts.coordinatorMain - before.parts.coordinatorMain),
      otherThreads: s(
        after.parts.coordinatorAll -
          before.parts.coordinatorAll -
          (after.parts.coordinatorMain - before.parts.coordinatorMain),
      ),
      byThreadName: delta(before.threads, after.threads),
      msPerSecond: Math.round((after.parts.coordinatorAll - before.parts.coordinatorAll) / seconds),
    },
    postgres:
      storeBefore && storeAfter
        ? {
            commitsPerSecond: perSecond(storeAfter.commits - storeBefore.commits),
            backendCpuSeconds: s(storeAfter.backendCpuMs - storeBefore.backendCpuMs),
          }
        : null,
    ...(stream ? { sseEvents: stream.events() } : {}),
  };
}

const results = [];
for (const store of stores) {
  results.push(await run(store as 'pglite' | 'postgres'));
  progress(JSON.stringify(results.at(-1)));
}
await printResult({
  bench: 'idle',
  machine: machine(),
  note: 'a shared machine: CPU seconds from /proc, not wall time; the load average is the 1-minute one at the start',
  settleSeconds: settle,
  results,
});
