/**
 * npm run bench:overview-api -- --json [--services N] [--rounds N] [--requests N]
 *
 * Only the API part of bench:dashboard (no browser): GET /api/v1/projects/:project/overview with `services` services ×
 * 3 environments deployed `rounds` times, one request at a time with a bearer token, then the same with a login
 * session cookie (issue 12's target: p95 ≤ 20 ms). Quicker to repeat than the whole dashboard benchmark.
 */
import { loadavg } from 'node:os';
import { overviewApiLatency } from './dashboard-overview-api.js';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

progress('overview API with 50 services × 3 environments of history (fake runtime)');
const overviewApi = await overviewApiLatency({
  services: arg('services', 50),
  rounds: arg('rounds', 3),
  requests: arg('requests', 300),
  routes: ['overview', 'status'],
});
await printResult({
  bench: 'overview-api',
  machine: machine(),
  loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
  overviewApi,
  targets: { overviewApiP95Ms: 20 },
});
