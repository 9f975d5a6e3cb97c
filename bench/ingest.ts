/**
 * Error ingest throughput: realistic gzip envelopes (5–50 KB, stack traces, many issues and
 * releases) posted to the coordinator's Sentry envelope endpoint, until every event is grouped
 * and stored — on PGlite and on PostgreSQL. Reports events per second (accepted, and stored),
 * p99 ingest latency, the coordinator's RSS, and the proxy's p99 with and without the ingest load.
 *
 *   npm run bench:ingest -- --json [--events 6000] [--connections 8] [--stores pglite,postgres] [--threads N]
 *     [--cpu-prof DIR] [--warmup 1500]
 *
 * `--threads N` sets errors.threads (worker threads reading bodies; 0: on the event loop). `--cpu-prof DIR` starts
 * the coordinator under `node --cpu-prof` and leaves its profiles in DIR (one per thread; bench/profile-top.ts
 * ranks what they spent their time on). `--warmup N` first posts N other envelopes, not measured, and waits until they
 * are digested: a coordinator fresh from its start spent a fifth of its CPU in the measured seconds compiling its hot
 * code (V8's TurboFan threads, `perf record`, 2026-12-06), which a long-running one has done once and for all.
 */
import { readFileSync, rmSync } from 'node:fs';
import pg from 'pg';
import { Pool } from 'undici';
import { followDeployment } from '../src/cli/follow.js';
import { percentile } from '../src/demo/load-generator.js';
import { createDemoWorkspace } from '../src/demo/workspace.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { seeded } from '../test/support/traffic-feed.js';
import { benchEnvelopes } from './ingest-events.js';
import { postEnvelope } from './ingest-post.js';
import { probeLatency } from './latency-probe.js';
import { startBenchCoordinator } from './bench-coordinator.js';
import { machine, printResult, processCpuMs, progress, refuse, statCpuMs } from './support.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? String(process.argv[i + 1]) : fallback;
};
const events = Number(arg('events', '6000'));
const connections = Number(arg('connections', '8'));
const stores = arg('stores', 'pglite,postgres').split(',');
const proxyRate = Number(arg('proxy-rate', '200'));
const cpuProf = arg('cpu-prof', '');
const threads = arg('threads', '');
const warmup = Number(arg('warmup', '1500'));
if (!(Number.isInteger(events) && events > 0)) await refuse('--events: expected a whole number > 0');
if (!(Number.isInteger(connections) && connections > 0)) await refuse('--connections: expected a whole number > 0');
if (!(Number.isInteger(warmup) && warmup >= 0)) await refuse('--warmup: expected a whole number ≥ 0');
if (threads !== '' && !/^\d+$/.test(threads)) await refuse('--threads: expected a whole number ≥ 0');
if (stores.some((s) => s !== 'pglite' && s !== 'postgres')) await refuse('--stores: pglite, postgres or both');

progress(`making ${warmup} + ${events} envelopes…`);
// One series, so the warm-up's events are other events (other ids) of the same issues and releases.
const made = benchEnvelopes(warmup + events, 300, 25, seeded(20261204));
const warmupEnvelopes = made.slice(0, warmup);
const envelopes = made.slice(warmup);
const bytes = envelopes.map((e) => e.length).sort((a, b) => a - b);

/**
 * The coordinator's CPU (ms) in parts: user and system time (the kernel's share: sockets, wake-ups of threads), and
 * its main thread (the event loop: HTTP, the store's statements) apart from the others (ingest readers, PGlite, zlib,
 * GC helpers). Node names every thread "node", so the main thread is the one whose id is the process's.
 */
const cpuParts = (pid: number) => {
  const all = statCpuMs(`/proc/${pid}/stat`);
  const main = statCpuMs(`/proc/${pid}/task/${pid}/stat`);
  return { user: all.user, system: all.system, mainThread: main.user + main.system };
};

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};

/**
 * CPU time (ms) of PostgreSQL's backends serving database `name` (it shares the 2 cores: the whole machine's budget
 * per event is coordinator + store + this client). Undefined when the server is not local (no /proc entries).
 */
async function storeCpuMs(admin: pg.Client, name: string): Promise<number | undefined> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
  try {
    return rows.reduce((ms, r) => ms + processCpuMs(r.pid), 0);
  } catch {
    return undefined;
  }
}

async function postgresUrl(): Promise<{ url: string; cpuMs: () => Promise<number | undefined> }> {
  const server = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `slipway_bench_ingest_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect().catch((e: Error) => refuse(`PostgreSQL is not reachable: ${e.message}`));
  await admin.query(`create database ${name}`);
  onExit(async () => {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  });
  return {
    url: Object.assign(new URL(server), { pathname: `/${name}` }).toString(),
    cpuMs: () => storeCpuMs(admin, name),
  };
}

async function run(store: 'pglite' | 'postgres') {
  const workspace = await createDemoWorkspace({
    instances: 1,
    extraTopLevel: `errors: { rateLimit: { perSecond: 100000, burst: 100000 }${threads && `, threads: ${threads}`} }`,
  });
  onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
  const postgres = store === 'postgres' ? await postgresUrl() : undefined;
  const { coordinator, base, client, token, shutdown } = await startBenchCoordinator(workspace, {
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
  await followDeployment(client, id, () => undefined);
  const staging = `http://127.0.0.1:${workspace.ports.staging}`;
  progress(`${store}: proxy p99 without ingest…`);
  const proxyAlone = await probeLatency(staging, '/quotes/sample', proxyRate, 5);

  const keys = await Promise.all(
    ['staging', 'production'].map(async (environment) => {
      const { dsn } = await client.call<{ dsn: string }>(
        'GET',
        `/api/v1/projects/${project}/dsn?environment=${environment}`,
      );
      const url = new URL(dsn);
      return { path: `/api${url.pathname}/envelope/`, key: url.username };
    }),
  );
  const pool = new Pool(base, { connections, pipelining: 1 });
  /** Post `list` over the connections, each answer's status and latency (ms) to `answered`. */
  const postAll = (list: Buffer[], answered: (status: number, ms: number) => void) => {
    let next = 0;
    return Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < list.length) {
          const i = next++;
          const k = keys[i % keys.length]!;
          const t0 = performance.now();
          const status = await postEnvelope(pool, `${k.path}?sentry_key=${k.key}&sentry_version=7`, list[i]!);
          answered(status, performance.now() - t0);
        }
      }),
    );
  };
  // Until the digest loop has taken every accepted event (slipway_error_events_digested_total), read from /metrics:
  // polling the issue list instead cost the coordinator more CPU than the ingest on PGlite (a grouped listing of
  // 300 issues with their per-release counts, twice a second), so the benchmark measured its own polling.
  const digested = async () => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const m = /^slipway_error_events_digested_total (\d+)/m.exec(await res.text());
    return m ? Number(m[1]) : 0;
  };
  /** Wait until `count` events are digested, or none more for 2 minutes (dropped: the log and /metrics say why). */
  const digestedAll = async (count: number) => {
    let seen = 0;
    let grewAt = performance.now();
    for (;;) {
      const now = await digested();
      if (now > seen) grewAt = performance.now();
      seen = now;
      if (seen >= count || performance.now() - grewAt > 120_000) return seen;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Events stored, from the API: the events of every issue. */
  const storedEvents = async () => {
    const { issues } = await client.call<{ issues: { events: number }[] }>(
      'GET',
      `/api/v1/projects/${project}/errors?limit=1000`,
    );
    return issues.reduce((n, i) => n + i.events, 0);
  };
  let warmAccepted = 0;
  if (warmup > 0) {
    progress(`${store}: warming up with ${warmup} other envelopes…`);
    await postAll(warmupEnvelopes, (status) => (warmAccepted += status === 200 ? 1 : 0));
    await digestedAll(warmAccepted);
  }
  const storedBefore = warmup > 0 ? await storedEvents() : 0;
  const rss: number[] = [rssMb(coordinator.pid!)];
  const sampler = setInterval(() => rss.push(rssMb(coordinator.pid!)), 250);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  progress(`${store}: posting ${events} envelopes over ${connections} connections, proxy probed meanwhile…`);
  const started = performance.now();
  const cpuBefore = processCpuMs(coordinator.pid!);
  const partsBefore = cpuParts(coordinator.pid!);
  const clientCpuBefore = process.cpuUsage();
  const storeCpuBefore = await postgres?.cpuMs();
  const proxyDuring = probeLatency(staging, '/quotes/sample', proxyRate, 5);
  await postAll(envelopes, (status, ms) => {
    latencies.push(ms);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const sentMs = performance.now() - started;
  await digestedAll(warmAccepted + (statuses.get(200) ?? 0));
  const storedMs = performance.now() - started;
  const cpuUsed = processCpuMs(coordinator.pid!) - cpuBefore;
  const partsAfter = cpuParts(coordinator.pid!);
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const storeCpuAfter = await postgres?.cpuMs();
  const stored = (await storedEvents()) - storedBefore;
  clearInterval(sampler);
  rss.push(rssMb(coordinator.pid!));
  const proxyWithIngest = await proxyDuring;
  await pool.close();
  await shutdown();
  latencies.sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const perEvent = (ms: number) => Math.round((ms / Math.max(stored, 1)) * 100) / 100;
  return {
    store,
    events,
    answers: Object.fromEntries(statuses),
    acceptedPerSecond: Math.round(((statuses.get(200) ?? 0) / sentMs) * 1000),
    storedPerSecond: Math.round((stored / storedMs) * 1000),
    storedEvents: stored,
    // The coordinator's CPU per stored event (all its threads): what 2 idle cores would sustain is about
    // 2000 / this many events per second.
    coordinatorCpuMsPerEvent: perEvent(cpuUsed),
    coordinatorCpuParts: {
      mainThreadMsPerEvent: perEvent(partsAfter.mainThread - partsBefore.mainThread),
      otherThreadsMsPerEvent: perEvent(cpuUsed - (partsAfter.mainThread - partsBefore.mainThread)),
      systemMsPerEvent: perEvent(partsAfter.system - partsBefore.system),
    },
    // The rest of the machine's share: this client (posting, and probing the proxy at --proxy-rate) and, on a local
    // PostgreSQL, its backends for the benchmark's database (backends that ended mid-run are not counted).
    clientCpuMsPerEvent: perEvent((clientCpu.user + clientCpu.system) / 1000),
    clientSystemCpuMsPerEvent: perEvent(clientCpu.system / 1000),
    storeCpuMsPerEvent:
      storeCpuBefore === undefined || storeCpuAfter === undefined ? null : perEvent(storeCpuAfter - storeCpuBefore),
    ingestLatencyMs: { p50: r1(percentile(latencies, 50)), p99: r1(percentile(latencies, 99)) },
    coordinatorRssMb: { start: rss[0], max: Math.max(...rss), end: rss.at(-1) },
    proxy: { rate: proxyRate, p99MsWithoutIngest: proxyAlone.p99Ms, p99MsWithIngest: proxyWithIngest.p99Ms },
  };
}

const results = [];
for (const store of stores) {
  results.push(await run(store as 'pglite' | 'postgres'));
  progress(JSON.stringify(results.at(-1)));
}
await printResult({
  bench: 'ingest',
  machine: machine(),
  note: 'a shared machine (up to 8 sessions on 2 cores): figures vary with the load of others',
  envelope: { gzipBytes: { p50: percentile(bytes, 50), p99: percentile(bytes, 99) }, issues: 300, releases: 25 },
  connections,
  warmup,
  threads: threads === '' ? 'default' : Number(threads),
  results,
});
