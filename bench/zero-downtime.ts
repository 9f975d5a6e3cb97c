/**
 * npm run bench:zero-downtime -- --json
 *
 * 1. Blue-green and rolling deployments of 4 harbor-quote instances while ≥ 500 req/s flow through
 *    the proxy, 2 % of them taking 2 s: requests, failed, p50/p99, time to switch.
 * 2. The proxy's overhead beside a direct connection: throughput ratio (wrk, same connections) and
 *    added p99 at 1,000 req/s (open loop).
 * Targets (issue #2): failed = 0; ratio ≥ 0.3; addedP99Ms ≤ 2.
 *
 * `--proxy haproxy` runs part 1 with `proxy: { kind: haproxy }` (HAProxy as the data plane); part 2 is then
 * skipped: `npm run bench:haproxy` measures HAProxy's overhead beside a direct connection.
 */
import { measureDeploysUnderLoad, rollback } from './deploy-under-load.js';
import { measureProxyOverhead } from './proxy-overhead.js';
import { machine, printResult, progress, refuse } from './support.js';
import { hasWrk } from './wrk.js';

// Checked before anything starts: a missing tool is one line, not a stack trace after a half-run.
if (!hasWrk())
  await refuse('bench:zero-downtime: wrk is not installed (apt-get install wrk); it measures the proxy overhead');

const at = process.argv.indexOf('--proxy');
const proxy = at === -1 ? 'builtin' : process.argv[at + 1];
if (proxy !== 'builtin' && proxy !== 'haproxy')
  await refuse(`bench:zero-downtime: --proxy must be builtin or haproxy, got ${proxy ?? 'nothing'}`);
const haproxy = proxy === 'haproxy';
const strategies = await measureDeploysUnderLoad({
  rate: 500,
  slowShare: 0.02,
  instances: 4,
  ...(haproxy ? { proxy: 'kind: haproxy' } : {}),
});
if (haproxy) {
  await printResult({
    benchmark: 'zero-downtime',
    proxy,
    strategies,
    rollback,
    proxyOverhead: null,
    targets: { failed: 0, rollbackSwitchMs: 1000 },
    met: {
      failed: strategies.every((s) => s.failed === 0) && rollback?.failed === 0,
      rollbackWithin1s: (rollback?.switchMs ?? Infinity) <= 1000,
    },
    machine: machine(),
  });
} else {
  progress('measuring proxy overhead');
  const proxyOverhead = await measureProxyOverhead({ connections: 32, rate: 1000, seconds: 6, rounds: 5 });
  await printResult({
    benchmark: 'zero-downtime',
    proxy,
    strategies,
    rollback,
    proxyOverhead,
    targets: { failed: 0, ratio: 0.3, addedP99Ms: 2, rollbackSwitchMs: 1000 },
    met: {
      failed: strategies.every((s) => s.failed === 0) && rollback?.failed === 0,
      rollbackWithin1s: (rollback?.switchMs ?? Infinity) <= 1000,
      ratio: proxyOverhead.ratio >= 0.3,
      addedP99Ms: proxyOverhead.addedP99Ms <= 2,
    },
    machine: machine(),
  });
}
