/**
 * npm run bench:health-probes -- --json [--probes 2000] [--rounds 2]
 *
 * What a health probe costs, checker and instance together: Slipway's probeHealth
 * (src/runtimes/local/health-checker.ts) against a real harbor-quote instance, a new connection per probe (as
 * before) against one kept-alive connection (as runHealthChecks now does), alternated. CPU from this process (the
 * checker) and from /proc for the instance, per probe; back to back, so the figure is the work, not the interval.
 */
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { probeHealth } from '../src/runtimes/local/health-checker.js';
import { findFreePort } from '../src/runtimes/local/port.js';
import { launch, machine, printResult, processCpuMs, progress, refuse, stop, waitForHttp } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const probes = arg('--probes', 2000);
const rounds = arg('--rounds', 2);
if (!(probes > 0) || !(rounds > 0)) await refuse('--probes and --rounds: expected numbers > 0');

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const port = await findFreePort();
const server = fileURLToPath(new URL('../examples/harbor-quote/server.js', import.meta.url));
const instance = launch([process.execPath, [server, String(port)]], { SENTRY_DSN: '' });
try {
  await waitForHttp(`http://127.0.0.1:${port}/health`);
  type Round = { checkerUsPerProbe: number; instanceUsPerProbe: number; failed: number };
  const results: Record<'newConnection' | 'keptAlive', Round[]> = { newConnection: [], keptAlive: [] };
  // A warm-up of each kind first: the first probes of a process pay for compiling the code.
  for (let round = 0; round <= rounds; round++) {
    for (const kind of ['newConnection', 'keptAlive'] as const) {
      if (round > 0) progress(`round ${round} of ${rounds}: ${probes} probes, ${kind}`);
      const agent = kind === 'keptAlive' ? new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }) : false;
      const checker0 = ownCpuMs();
      const instance0 = processCpuMs(instance.pid!);
      let failed = 0;
      for (let i = 0; i < probes; i++) if (!(await probeHealth(port, '/health', 1000, undefined, agent)).ok) failed++;
      const perProbe = (ms: number) => Math.round((ms * 1000) / probes);
      if (agent) agent.destroy();
      if (round > 0)
        results[kind].push({
          checkerUsPerProbe: perProbe(ownCpuMs() - checker0),
          instanceUsPerProbe: perProbe(processCpuMs(instance.pid!) - instance0),
          failed,
        });
    }
  }
  await printResult({ bench: 'health-probes', machine: machine(), probes, rounds, results });
} finally {
  await stop(instance);
}
