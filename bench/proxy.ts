import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { cliCommand } from '../src/app/proxy-command.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { harborQuoteDir } from '../src/demo/workspace.js';
import { findFreePort } from '../src/runtimes/local/port.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { loadAdminToken } from '../src/traffic/proxy/admin-token.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import { ensureProxy, stopProxy } from '../src/traffic/proxy/supervisor.js';
import { probeLatency } from './latency-probe.js';
import { launch, machine, printResult, progress, refuse, stop, waitForHttp } from './support.js';
import { hasWrk, wrkRps } from './wrk.js';

/**
 * The built-in proxy beside HAProxy (Debian 2.6, nbthread = proxy workers) and a direct connection, one run, rounds
 * interleaved so a busy shared machine hits all three alike: throughput with wrk on one upstream (harbor-quote's
 * /quotes/sample) and on a 232 KB static body, p50/p99 at a fixed 1,000 req/s (bench/latency-probe.ts: an open-loop
 * Node client on a fixed schedule), then SIGKILL of one worker, and of the parent (restarted as the coordinator's
 * watchdog does), under steady load. `npm run bench:proxy -- --json [--workers N] [--rounds N] [--seconds N]`.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const workers = arg('workers', availableParallelism());
const rounds = arg('rounds', 3);
const seconds = arg('seconds', 5);
const connections = 32;
const rate = 1000;
const assetBytes = 232 * 1024;

if (!hasWrk()) await refuse('wrk is not installed (apt-get install wrk); it measures throughput');
const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-proxy-'));
onExit(() => rmSync(dir, { recursive: true, force: true }));
const taken = new Set<number>();
const port = async () => {
  const p = await findFreePort(taken);
  taken.add(p);
  return p;
};
const [appPort, staticPort, proxyPort, haproxyPort, adminPort] = [
  await port(),
  await port(),
  await port(),
  await port(),
  await port(),
];
const app = launch([process.execPath, ['server.js']], { PORT: String(appPort), APP_VERSION: 'bench' }, harborQuoteDir);
// A static asset server (a 232 KB chunk, as a frontend build emits), in its own process.
const assets = launch([
  process.execPath,
  [
    '-e',
    `const body = Buffer.alloc(${assetBytes}, 'a');
     require('node:http').createServer((req, res) => {
       res.writeHead(200, { 'content-type': 'text/javascript', 'content-length': body.length });
       res.end(body);
     }).listen(${staticPort}, '127.0.0.1');`,
  ],
]);
const haproxyConfig = path.join(dir, 'haproxy.cfg');
writeFileSync(
  haproxyConfig,
  `global
  nbthread ${workers}
  maxconn 4096
defaults
  mode http
  # The headers the built-in proxy adds to every request (headers.ts), so both send the upstream the same work.
  option forwardfor
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend bench
  bind 127.0.0.1:${haproxyPort}
  unique-id-format %{+X}o%ci%cp%fi%fp%Ts%rt%pid
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found }
  http-request set-header X-Request-Id %[unique-id] unless { req.hdr(x-request-id) -m found }
  use_backend assets if { path_beg /assets }
  default_backend app
backend app
  server app 127.0.0.1:${appPort}
backend assets
  server assets 127.0.0.1:${staticPort}
`,
);
const haproxy = spawn('/usr/sbin/haproxy', ['-db', '-f', haproxyConfig], { stdio: 'ignore' });
onExit(() => void haproxy.kill('SIGKILL'));
const stateDir = path.join(dir, 'proxy');
const admin = `127.0.0.1:${adminPort}`;
const startProxy = () =>
  ensureProxy({
    admin,
    stateDir,
    logFile: path.join(dir, 'proxy.log'),
    command: cliCommand(['proxy', '--workers', String(workers)]),
  });
onExit(() => stopProxy(stateDir, { timeoutMs: 5_000 }).then(() => undefined));

try {
  await startProxy();
  const router = new ProxyRouter({ admin, token: await loadAdminToken(stateDir, {}) });
  const set = (release: string, port: number) => [
    { release, role: 'stable' as const, weight: 1, upstreams: [{ id: release, address: `127.0.0.1:${port}` }] },
  ];
  await router.apply({
    environment: 'bench',
    listen: `127.0.0.1:${proxyPort}`,
    routes: [
      { service: 'quote-api', match: { pathPrefix: '/' }, releases: set('app', appPort) },
      { service: 'web', match: { pathPrefix: '/assets' }, releases: set('assets', staticPort) },
    ],
  });
  const targets = {
    direct: { small: `http://127.0.0.1:${appPort}`, large: `http://127.0.0.1:${staticPort}` },
    haproxy: { small: `http://127.0.0.1:${haproxyPort}`, large: `http://127.0.0.1:${haproxyPort}` },
    slipway: { small: `http://127.0.0.1:${proxyPort}`, large: `http://127.0.0.1:${proxyPort}` },
  };
  const names = ['direct', 'haproxy', 'slipway'] as const;
  for (const name of names) {
    progress(`waiting for ${name} (${targets[name].small}, ${targets[name].large})`);
    await waitForHttp(`${targets[name].small}/quotes/sample`);
    await waitForHttp(`${targets[name].large}/assets/chunk.js`);
  }
  progress(`warming up (${workers} proxy workers, haproxy nbthread ${workers})`);
  for (const name of names) {
    wrkRps(`${targets[name].small}/quotes/sample`, connections, 2);
    wrkRps(`${targets[name].large}/assets/chunk.js`, connections, 2);
  }
  const figures = Object.fromEntries(
    names.map((n) => [
      n,
      {
        rps: [] as number[],
        assetRps: [] as number[],
        p50: [] as number[],
        p99: [] as number[],
        cpuUs: [] as number[],
      },
    ]),
  );
  // CPU per request of the proxy's processes (parent + workers; haproxy's one process): unlike req/s, it does not
  // depend on how much of the shared machine the other sessions take.
  const proxyPids = async () => [
    ...(await workerPids()),
    ((await (await fetch(`http://${admin}/healthz`)).json()) as { pid: number }).pid,
  ];
  const cpuPids = { direct: async () => [] as number[], haproxy: async () => [haproxy.pid!], slipway: proxyPids };
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}: wrk ${connections} connections ${seconds}s (small, 232 KB), ${rate} req/s`);
    for (const name of names) {
      const pids = await cpuPids[name]();
      const before = cpuMs(pids);
      const rps = wrkRps(`${targets[name].small}/quotes/sample`, connections, seconds);
      figures[name]!.rps.push(rps);
      if (pids.length > 0) figures[name]!.cpuUs.push(Math.round(((cpuMs(pids) - before) * 1000) / (rps * seconds)));
    }
    for (const name of names)
      figures[name]!.assetRps.push(wrkRps(`${targets[name].large}/assets/chunk.js`, connections, seconds));
    for (const name of names) {
      const l = await probeLatency(targets[name].small, '/quotes/sample', rate, seconds);
      if (l.failed > 0) throw new Error(`${l.failed} requests failed through ${name}`);
      figures[name]!.p50.push(l.p50Ms);
      figures[name]!.p99.push(l.p99Ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const summary = Object.fromEntries(
    names.map((n) => {
      const f = figures[n]!;
      return [
        n,
        {
          cpuUsPerRequest: f.cpuUs.length > 0 ? median(f.cpuUs) : undefined,
          rps: Math.round(median(f.rps)),
          assetRps: Math.round(median(f.assetRps)),
          p50Ms: median(f.p50),
          p99Ms: median(f.p99),
          rounds: f,
        },
      ];
    }),
  ) as unknown as Record<
    (typeof names)[number],
    { rps: number; assetRps: number; p50Ms: number; p99Ms: number; cpuUsPerRequest?: number }
  >;

  progress('SIGKILL of one worker under 500 req/s');
  const workerKill = await underLoad(targets.slipway.small, 500, async () => {
    const before = await workerPids();
    const victim = before[0]!;
    const t0 = performance.now();
    process.kill(victim, 'SIGKILL');
    for (;;) {
      const now = await workerPids().catch(() => [] as number[]);
      if (now.length === workers && !now.includes(victim))
        return { replacedAfterMs: Math.round(performance.now() - t0) };
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  progress('SIGKILL of the parent under 200 req/s (restarted as the coordinator watchdog does, every 2 s)');
  const parentKill = await underLoad(targets.slipway.small, 200, async () => {
    const { pid } = (await (await fetch(`http://${admin}/healthz`)).json()) as { pid: number };
    const t0 = performance.now();
    process.kill(-pid, 'SIGKILL');
    // The watchdog polls every 2 s; on average it notices 1 s after the death, at worst 2 s.
    while (await router.healthy()) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2_000));
    await startProxy();
    return { servingAgainAfterMs: Math.round(performance.now() - t0) };
  });
  await router.close();
  await printResult({
    benchmark: 'proxy',
    machine: machine(),
    note: 'shared 2-core machine, other sessions running: figures are noisy; medians of interleaved rounds',
    settings: {
      workers,
      haproxyNbthread: workers,
      wrk: `-t1 -c${connections} -d${seconds}s`,
      rounds,
      rate,
      assetBytes,
    },
    latencyClient: 'bench/latency-probe.ts: open loop, fixed schedule, undici, latency from send to last byte',
    ...summary,
    ratios: {
      slipwayToHaproxy: r2(summary.slipway.rps / summary.haproxy.rps),
      slipwayToDirect: r2(summary.slipway.rps / summary.direct.rps),
      cpuPerRequestSlipwayToHaproxy: r2(
        (summary.slipway.cpuUsPerRequest ?? 0) / (summary.haproxy.cpuUsPerRequest ?? 1),
      ),
      assetSlipwayToHaproxy: r2(summary.slipway.assetRps / summary.haproxy.assetRps),
      addedP99Ms: r2(summary.slipway.p99Ms - summary.direct.p99Ms),
      haproxyAddedP99Ms: r2(summary.haproxy.p99Ms - summary.direct.p99Ms),
    },
    workerKill,
    parentKill,
    targets: {
      throughputVsHaproxy: summary.slipway.rps >= 0.8 * summary.haproxy.rps,
      addedP99Ms: summary.slipway.p99Ms - summary.direct.p99Ms <= 1,
      workerKillFailed: workerKill.failedWithBrowserRetry === 0,
    },
  });
} finally {
  await stopProxy(stateDir, { timeoutMs: 5_000 });
  haproxy.kill('SIGKILL');
  await stop(app);
  await stop(assets);
}

/** CPU time (user + system) the processes used so far, in ms (from /proc; clock ticks of 10 ms). */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

async function workerPids(): Promise<number[]> {
  return ((await (await fetch(`http://${admin}/healthz`)).json()) as { workers: number[] }).workers;
}

/** Steady load for 3 s, the action, 3 s more; failures with and without a browser's retry of a reset GET. */
async function underLoad<T extends object>(url: string, loadRate: number, action: () => Promise<T>) {
  const load = new LoadGenerator({
    url,
    rate: loadRate,
    connections: 32,
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
    timeoutMs: 10_000,
    retryResets: true,
  });
  load.start();
  await new Promise((r) => setTimeout(r, 3_000));
  const result = await action();
  await new Promise((r) => setTimeout(r, 3_000));
  const report = await load.stop();
  return {
    rate: loadRate,
    requests: report.requests,
    failedWithBrowserRetry: report.failed,
    failedWithoutRetry: report.failed + report.retried,
    failures: report.failures.slice(0, 5),
    ...result,
  };
}
