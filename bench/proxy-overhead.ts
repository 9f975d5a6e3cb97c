import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliCommand } from '../src/app/proxy-command.js';
import { harborQuoteDir } from '../src/demo/workspace.js';
import { findFreePort } from '../src/runtimes/local/port.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import { probeLatency } from './latency-probe.js';
import { launch, progress, refuse, stop, waitForHttp } from './support.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { hasWrk, wrkRps } from './wrk.js';

export interface ProxyOverhead {
  /** Closed loop, same connection count, direct to the app vs through the proxy (wrk). */
  connections: number;
  directRps: number;
  proxyRps: number;
  ratio: number;
  /** Open loop at `rate` req/s: p50/p99 direct vs through the proxy. */
  rate: number;
  directP50Ms: number;
  proxyP50Ms: number;
  directP99Ms: number;
  proxyP99Ms: number;
  addedP99Ms: number;
  /** Every round's figures; the ones above are their medians. */
  rounds: { directRps: number[]; proxyRps: number[]; directP99Ms: number[]; proxyP99Ms: number[] };
}

async function openLoop(url: string, rate: number, seconds: number) {
  const report = await probeLatency(url, '/quotes/sample', rate, seconds);
  if (report.failed > 0) throw new Error(`${report.failed} requests failed against ${url}`);
  return report;
}

/**
 * The proxy's cost, measured side by side in one run: one harbor-quote process, reached directly
 * and through a `slipway proxy` process, at the same concurrency (throughput) and the same rate
 * (latency). Rounds alternate direct/proxy so drift on a shared machine hits both alike.
 */
export async function measureProxyOverhead(
  options: { connections?: number; rate?: number; seconds?: number; rounds?: number } = {},
): Promise<ProxyOverhead> {
  const connections = options.connections ?? 32;
  const rate = options.rate ?? 1000;
  const seconds = options.seconds ?? 6;
  const rounds = options.rounds ?? 5;
  if (!hasWrk()) await refuse('wrk is not installed (apt-get install wrk); it measures the proxy overhead');
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-proxy-'));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const [appPort, listenPort, adminPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const token = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const app = launch(
    [process.execPath, ['server.js']],
    { PORT: String(appPort), APP_VERSION: 'bench' },
    harborQuoteDir,
  );
  const proxy = launch(cliCommand(['proxy', '--admin', `127.0.0.1:${adminPort}`, '--state-dir', dir]), {
    SLIPWAY_PROXY_TOKEN: token,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${appPort}/health`);
    await waitForHttp(`http://127.0.0.1:${adminPort}/healthz`);
    const router = new ProxyRouter({ admin: `127.0.0.1:${adminPort}`, token });
    await router.apply({
      environment: 'bench',
      listen: `127.0.0.1:${listenPort}`,
      routes: [
        {
          service: 'quote-api',
          match: { pathPrefix: '/' },
          releases: [
            {
              release: 'bench',
              role: 'stable',
              weight: 100,
              upstreams: [{ id: 'ins_bench', address: `127.0.0.1:${appPort}` }],
            },
          ],
        },
      ],
    });
    const direct = `http://127.0.0.1:${appPort}`;
    const proxied = `http://127.0.0.1:${listenPort}`;
    await waitForHttp(`${proxied}/quotes/sample`);
    progress('warming up');
    wrkRps(`${direct}/quotes/sample`, connections, 2);
    wrkRps(`${proxied}/quotes/sample`, connections, 2);

    const rps = { direct: [] as number[], proxy: [] as number[] };
    const lat = { direct: [] as { p50Ms: number; p99Ms: number }[], proxy: [] as { p50Ms: number; p99Ms: number }[] };
    for (let round = 0; round < rounds; round++) {
      progress(`throughput round ${round + 1}/${rounds} (wrk, ${connections} connections, ${seconds}s each)`);
      rps.direct.push(wrkRps(`${direct}/quotes/sample`, connections, seconds));
      rps.proxy.push(wrkRps(`${proxied}/quotes/sample`, connections, seconds));
      progress(`latency round ${round + 1}/${rounds} (${rate} req/s open loop, ${seconds}s each)`);
      lat.direct.push(await openLoop(direct, rate, seconds));
      lat.proxy.push(await openLoop(proxied, rate, seconds));
    }
    // Medians over rounds: one noisy round on a shared 2-core machine must not decide the figure.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const directRps = Math.round(median(rps.direct));
    const proxyRps = Math.round(median(rps.proxy));
    const directP99Ms = r2(median(lat.direct.map((l) => l.p99Ms)));
    const proxyP99Ms = r2(median(lat.proxy.map((l) => l.p99Ms)));
    return {
      connections,
      directRps,
      proxyRps,
      ratio: r2(proxyRps / directRps),
      rate,
      directP50Ms: r2(median(lat.direct.map((l) => l.p50Ms))),
      proxyP50Ms: r2(median(lat.proxy.map((l) => l.p50Ms))),
      directP99Ms,
      proxyP99Ms,
      addedP99Ms: r2(proxyP99Ms - directP99Ms),
      rounds: {
        directRps: rps.direct.map(Math.round),
        proxyRps: rps.proxy.map(Math.round),
        directP99Ms: lat.direct.map((l) => l.p99Ms),
        proxyP99Ms: lat.proxy.map((l) => l.p99Ms),
      },
    };
  } finally {
    await stop(proxy);
    await stop(app);
    rmSync(dir, { recursive: true, force: true });
  }
}
