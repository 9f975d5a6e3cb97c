/**
 * npm run bench:canary -- --json [--trials N] [--healthy-trials N]
 *
 * Canaries of harbor-quote through the real proxy, judged by the real judge, on a real coordinator:
 * - faulty candidates at 5 % weight under 200 req/s: FAIL_RATE=0.2, and separately EXTRA_LATENCY_MS=300;
 * - a faulty candidate (FAIL_RATE=0.2) at 5 % of 20 req/s (about one request a second reaches it);
 * - healthy candidates with noise (same code, latency jitter, 0.5 % errors on both releases).
 * Reports time to rollback (first bad response → all traffic back on stable), user errors before the
 * rollback, and the false rollback rate. Targets (issue #3): median ≤ 5 s, p95 ≤ 10 s; low traffic
 * median ≤ 30 s; false rollbacks ≤ 0.02.
 */
import { rmSync } from 'node:fs';
import { generateToken } from '../src/api/auth.js';
import { cliCommand } from '../src/app/proxy-command.js';
import { ApiClient } from '../src/cli/client.js';
import { followDeployment, type DeploymentView } from '../src/cli/follow.js';
import { loadConfigWithRaw } from '../src/config/load.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { createDemoWorkspace } from '../src/demo/workspace.js';
import { faultyTrial, healthyTrial, ResponseLog, summarize, type FaultyTrial } from './canary-trials.js';
import { launch, machine, printResult, progress, waitForHttp, shutDownCoordinator } from './support.js';
import { onExit } from '../src/shared/exit-cleanup.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const trials = arg('trials', 10);
const healthyTrials = arg('healthy-trials', 50);

/** A coordinator on a fresh workspace whose service deploys as a canary with these steps. */
async function startSystem(steps: string) {
  const workspace = await createDemoWorkspace({
    instances: 2,
    drainTimeout: '2s',
    strategy: `{ type: canary, steps: ${steps} }`,
  });
  const token = generateToken();
  const coordinator = launch(cliCommand(['coordinator', '--config', workspace.configPath]), { SLIPWAY_TOKEN: token });
  const client = new ApiClient(`http://127.0.0.1:${workspace.ports.coordinator}`, token);
  await waitForHttp(`http://127.0.0.1:${workspace.ports.coordinator}/healthz`, 120_000);
  const { config, raw } = await loadConfigWithRaw(workspace.configPath);
  await client.call('PUT', `/api/v1/projects/${config.project}`, { config: raw, baseDir: config.baseDir });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await shutDownCoordinator(client, coordinator);
    rmSync(workspace.dir, { recursive: true, force: true });
  };
  onExit(close);
  return { workspace, client, project: config.project, close, url: `http://127.0.0.1:${workspace.ports.staging}` };
}

async function deployStable(client: ApiClient, project: string, version: string, set: Record<string, string> = {}) {
  const { deployment } = await client.call<{ deployment: DeploymentView }>(
    'POST',
    `/api/v1/projects/${project}/deployments`,
    { service: 'quote-api', environment: 'staging', version, set },
  );
  const final = await followDeployment(client, deployment.id, () => undefined);
  if (final.state !== 'succeeded') throw new Error(`stable ${version} ${final.state}: ${final.reason}`);
}

function report(results: FaultyTrial[]) {
  const rolledBack = results.filter((r) => r.state === 'rolled_back');
  const times = rolledBack.flatMap((r) => (r.timeToRollbackMs === undefined ? [] : [r.timeToRollbackMs]));
  return {
    trials: results.length,
    rolledBack: rolledBack.length,
    timeToRollbackMs: summarize(times),
    userErrorsBeforeRollback: { median: summarize(rolledBack.map((r) => r.userErrorsBeforeRollback)).median },
    verdictToStableMs: summarize(
      rolledBack.flatMap((r) => (r.verdictToStableMs === undefined ? [] : [r.verdictToStableMs])),
    ),
    reasons: [...new Set(rolledBack.map((r) => (r.reason ?? '').replace(/\d+(\.\d+)?(e-?\d+)?/g, 'N').slice(0, 160)))],
  };
}

async function faultyPhase(
  rate: number,
  kinds: { name: string; set: Record<string, string>; bad: (r: { status: number; latencyMs: number }) => boolean }[],
) {
  const system = await startSystem('[{ setWeight: 5 }, { analyze: { for: 120s } }]');
  const log = new ResponseLog();
  const load = new LoadGenerator({
    url: system.url,
    rate,
    connections: 64,
    measureFrom: 'sent',
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
    onResponse: log.push,
  });
  const out: Record<string, ReturnType<typeof report>> = {};
  try {
    await deployStable(system.client, system.project, '1.0.0');
    load.start();
    await new Promise((r) => setTimeout(r, 5000)); // a baseline for the stable release
    for (const kind of kinds) {
      const results: FaultyTrial[] = [];
      for (let i = 1; i <= trials; i++) {
        const result = await faultyTrial(
          system.client,
          system.project,
          log,
          `${kind.name}-${rate}-${i}`,
          kind.set,
          kind.bad,
        );
        progress(
          `${kind.name} @ ${rate} req/s trial ${i}/${trials}: ${result.state} ${result.timeToRollbackMs ?? '-'} ms, ` +
            `${result.userErrorsBeforeRollback} user errors`,
        );
        results.push(result);
      }
      out[kind.name] = report(results);
    }
  } finally {
    await load.stop();
    await system.close();
  }
  return out;
}

async function healthyPhase() {
  const system = await startSystem('[{ setWeight: 5 }, { analyze: { for: 20s } }]');
  const noise = { FAIL_RATE: '0.005', LATENCY_JITTER_MS: '20' };
  const load = new LoadGenerator({
    url: system.url,
    rate: 200,
    connections: 64,
    measureFrom: 'sent',
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
  });
  const results = [];
  try {
    await deployStable(system.client, system.project, 'noise-0', noise);
    load.start();
    await new Promise((r) => setTimeout(r, 5000));
    for (let i = 1; i <= healthyTrials; i++) {
      const result = await healthyTrial(system.client, system.project, `noise-${i}`, noise);
      progress(`healthy trial ${i}/${healthyTrials}: ${result.state}${result.reason ? ` (${result.reason})` : ''}`);
      results.push(result);
    }
  } finally {
    await load.stop();
    await system.close();
  }
  const falseRollbacks = results.filter((r) => r.state !== 'succeeded');
  return {
    trials: results.length,
    falseRollbacks: falseRollbacks.length,
    falseRollbackRate: falseRollbacks.length / results.length,
    reasons: falseRollbacks.map((r) => r.reason),
  };
}

const busy = await faultyPhase(200, [
  { name: 'error-rate', set: { FAIL_RATE: '0.2' }, bad: (r) => r.status >= 500 },
  { name: 'latency', set: { EXTRA_LATENCY_MS: '300' }, bad: (r) => r.latencyMs >= 300 },
]);
const quiet = await faultyPhase(20, [{ name: 'error-rate', set: { FAIL_RATE: '0.2' }, bad: (r) => r.status >= 500 }]);
const healthy = await healthyPhase();
await printResult({
  benchmark: 'canary',
  faultyErrorRate: busy['error-rate'],
  faultyLatency: busy.latency,
  lowTraffic: quiet['error-rate'],
  healthy,
  targets: {
    timeToRollbackMedianMs: 5000,
    timeToRollbackP95Ms: 10_000,
    lowTrafficMedianMs: 30_000,
    falseRollbackRate: 0.02,
  },
  comparison: {
    flagger:
      'analysis every `interval` (default 60 s, minimum 10 s); rollback after `threshold` failed checks: ≥ 10 s, ' +
      'typically minutes',
    argoRollouts:
      'AnalysisRun every `interval` chosen by the user (examples use minutes); rollback after failureLimit failed ' +
      'measurements',
    kayenta: 'judges 60 s data steps, wants ≥ 50 points',
  },
  machine: machine(),
});
