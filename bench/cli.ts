/**
 * npm run bench:cli -- --json [--runs 20]
 *
 * How long a person waits for the CLI: wall time of whole `slipway` processes (node start
 * included), median and p95 over --runs runs each, against a running coordinator with one service
 * deployed. Target (issue 9): a read command like `status` answers in ≤ 200 ms.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { generateToken } from '../src/api/auth.js';
import { ApiClient } from '../src/cli/client.js';
import { followDeployment, type DeploymentView } from '../src/cli/follow.js';
import { loadConfigWithRaw } from '../src/config/load.js';
import { createDemoWorkspace } from '../src/demo/workspace.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { repoRoot } from '../test/support/entry.js';
import { launch, machine, printResult, progress, stop, waitForHttp } from './support.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 20;
const bin = path.join(repoRoot, 'bin/slipway.js');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Wall time of `slipway args…` (ms), `runs` times after one warm-up; fails loudly on a non-zero exit. */
function time(args: string[], env: Record<string, string>): { medianMs: number; p95Ms: number; runs: number } {
  const once = () => {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`slipway ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  once(); // the file cache warm, as for a person who ran any command before
  const samples = Array.from({ length: runs }, once).sort((a, b) => a - b);
  return {
    medianMs: Math.round(percentile(samples, 50)),
    p95Ms: Math.round(percentile(samples, 95)),
    runs,
  };
}

const workspace = await createDemoWorkspace({ instances: 1 });
onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
const token = generateToken();
const coordinator = launch([process.execPath, [bin, 'coordinator', '--config', workspace.configPath]], {
  SLIPWAY_TOKEN: token,
});
onExit(() => stop(coordinator));
const url = `http://127.0.0.1:${workspace.ports.coordinator}`;
await waitForHttp(`${url}/healthz`, 120_000);
const client = new ApiClient(url, token);
const { config, raw } = await loadConfigWithRaw(workspace.configPath);
await client.call('PUT', `/api/v1/projects/${config.project}`, { config: raw, baseDir: config.baseDir });
const { deployment } = await client.call<{ deployment: DeploymentView }>(
  'POST',
  `/api/v1/projects/${config.project}/deployments`,
  { service: 'quote-api', environment: 'staging', version: '1.0.0' },
);
await followDeployment(client, deployment.id, () => undefined);

progress(`timing ${runs} runs of each command`);
const env = { SLIPWAY_TOKEN: token, NO_COLOR: '1' };
const withConfig = ['--config', workspace.configPath];
const commands = {
  version: time(['--version'], env),
  // The first thing a newcomer types: every command's name and description, none of their code.
  help: time(['--help'], env),
  status: time([...withConfig, 'status'], env),
  statusJson: time([...withConfig, 'status', '--json'], env),
  history: time([...withConfig, 'history', 'quote-api', '--env', 'staging'], env),
  validate: time([...withConfig, 'validate'], env),
};
await client.call('POST', '/api/v1/system/shutdown', { stopInstances: true }).catch(() => undefined);
await printResult({
  benchmark: 'cli',
  commands,
  targets: { statusMs: 200 },
  met: { status: commands.status.medianMs <= 200 && commands.statusJson.medianMs <= 200 },
  machine: machine(),
});
