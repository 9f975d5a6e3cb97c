import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { harborQuoteDir } from '../src/demo/workspace.js';
import { findFreePort } from '../src/runtimes/local/port.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { startHaproxy } from '../src/traffic/haproxy/haproxy-process.js';
import { HaproxyRouter } from '../src/traffic/haproxy/haproxy-router.js';
import type { EnvironmentRoutes } from '../src/traffic/router.js';
import { probeLatency } from './latency-probe.js';
import { launch, machine, printResult, progress, refuse, stop, waitForHttp } from './support.js';
import { hasWrk, wrkRps } from './wrk.js';

/**
 * HAProxy as Slipway's router (src/traffic/haproxy/), measured in one run against one harbor-quote process:
 * throughput (wrk, closed loop) and p50/p99 at a fixed rate, direct vs through HaproxyRouter's haproxy;
 * then how long a table change takes through the runtime API (weights) and through a reload (a new route),
 * and how many requests fail while they happen under an open-loop load. Prints JSON (`--json`: one line).
 */
const connections = 32;
const rate = 1000;
const seconds = 5;
const rounds = 3;
const changes = 20;

if (!hasWrk()) await refuse('wrk is not installed (apt-get install wrk); it measures throughput');
const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-hx-'));
onExit(() => rmSync(dir, { recursive: true, force: true }));
const [appPort, listenPort] = [await findFreePort(), await findFreePort()];
const app = launch([process.execPath, ['server.js']], { PORT: String(appPort), APP_VERSION: 'bench' }, harborQuoteDir);
const haproxy = await startHaproxy({ stateDir: dir });
onExit(() => haproxy.stop(5_000));
try {
  await waitForHttp(`http://127.0.0.1:${appPort}/health`);
  const router = new HaproxyRouter({ stateDir: dir });
  const table = (weights: [number, number], extraRoute = false): EnvironmentRoutes => ({
    environment: 'bench',
    listen: `127.0.0.1:${listenPort}`,
    routes: [
      {
        service: 'quote-api',
        match: { pathPrefix: '/' },
        releases: [
          {
            release: 'a',
            role: 'stable',
            weight: weights[0],
            upstreams: [{ id: 'a', address: `127.0.0.1:${appPort}` }],
          },
          {
            release: 'b',
            role: 'candidate',
            weight: weights[1],
            upstreams: [{ id: 'b', address: `127.0.0.1:${appPort}` }],
          },
        ],
      },
      ...(extraRoute ? [{ service: 'other', match: { pathPrefix: '/other' }, releases: [] }] : []),
    ],
  });
  await router.apply(table([100, 0]));
  const direct = `http://127.0.0.1:${appPort}`;
  const proxied = `http://127.0.0.1:${listenPort}`;
  await waitForHttp(`${proxied}/quotes/sample`);
  progress('warming up');
  wrkRps(`${direct}/quotes/sample`, connections, 2);
  wrkRps(`${proxied}/quotes/sample`, connections, 2);
  const rps = { direct: [] as number[], haproxy: [] as number[] };
  const p99 = { direct: [] as number[], haproxy: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}: wrk ${connections} connections ${seconds}s, then ${rate} req/s open loop`);
    rps.direct.push(wrkRps(`${direct}/quotes/sample`, connections, seconds));
    rps.haproxy.push(wrkRps(`${proxied}/quotes/sample`, connections, seconds));
    p99.direct.push((await probeLatency(direct, '/quotes/sample', rate, seconds)).p99Ms);
    p99.haproxy.push((await probeLatency(proxied, '/quotes/sample', rate, seconds)).p99Ms);
  }
  progress(`${changes} weight changes (runtime API) and ${changes / 4} reloads under ${rate / 2} req/s`);
  const countOf = async () =>
    Object.values((await router.stats()).environments.bench?.['quote-api'] ?? {}).reduce(
      (n, r) => n + r.latency.count,
      0,
    );
  const countedBefore = await countOf();
  const load = probeLatency(proxied, '/quotes/sample', rate / 2, 8);
  const runtimeMs: number[] = [];
  const reloadMs: number[] = [];
  // The extra route comes and goes at reload points only, so every other change keeps the shape.
  let extra = false;
  for (let i = 0; i < changes; i++) {
    const t0 = performance.now();
    await router.apply(table([100 - (i % 10) * 10, (i % 10) * 10], extra));
    runtimeMs.push(performance.now() - t0);
    if (i % 4 === 3) {
      extra = !extra;
      const t1 = performance.now();
      await router.apply(table([100 - (i % 10) * 10, (i % 10) * 10], extra));
      reloadMs.push(performance.now() - t1);
    }
  }
  const underChanges = await load;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const counted = (await countOf()) - countedBefore;
  await printResult({
    benchmark: 'haproxy-router',
    machine: machine(),
    haproxy: '/usr/sbin/haproxy (master-worker, default threads)',
    connections,
    directRps: Math.round(median(rps.direct)),
    haproxyRps: Math.round(median(rps.haproxy)),
    ratio: r2(median(rps.haproxy) / median(rps.direct)),
    rate,
    directP99Ms: r2(median(p99.direct)),
    haproxyP99Ms: r2(median(p99.haproxy)),
    addedP99Ms: r2(median(p99.haproxy) - median(p99.direct)),
    applyRuntimeMedianMs: r2(median(runtimeMs)),
    applyReloadMedianMs: r2(median(reloadMs)),
    requestsDuringChanges: underChanges.requests,
    failedDuringChanges: underChanges.failed,
    countedByStatsDuringChanges: counted,
    rounds: { directRps: rps.direct.map(Math.round), haproxyRps: rps.haproxy.map(Math.round), p99 },
  });
} finally {
  await haproxy.stop(5_000);
  await stop(app);
}
