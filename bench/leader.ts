import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadavg } from 'node:os';
import pg from 'pg';
import { generateToken } from '../src/api/auth.js';
import { cliCommand } from '../src/app/proxy-command.js';
import { ApiClient } from '../src/cli/client.js';
import { followDeployment, type DeploymentView } from '../src/cli/follow.js';
import { loadConfigWithRaw } from '../src/config/load.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { createDemoWorkspace } from '../src/demo/workspace.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { freePort } from '../test/proxy-support.js';
import { launch, machine, progress, stop, waitForHttp, wantsJson } from './support.js';

/**
 * Leader SIGKILL under load: two coordinators on one PostgreSQL (a database made for the run), harbor-quote on 2
 * instances behind the proxy, `rate` req/s through the proxy the whole time. Each trial starts a blue-green
 * deployment on the leader, SIGKILLs the leader once the deployment is under way, and measures
 * - leaseMs: SIGKILL → the other coordinator holds the lease,
 * - takeoverMs: SIGKILL → the other coordinator's engine resumed the deployment (its deployment.resumed event),
 * then waits for the deployment to succeed and starts the killed coordinator again (it follows).
 * Usage: npm run bench:leader -- [--json] [--trials N] [--rate R]
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const trials = arg('trials', 5);
const rate = arg('rate', 250);
const adminUrl = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Trial {
  killed: string;
  leaseMs: number;
  takeoverMs: number;
  deploymentState: string;
  deployMs: number;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

async function main() {
  const database = `slipway_bench_leader_${randomBytes(4).toString('hex')}`;
  await admin(`create database "${database}"`);
  const dropDatabase = () => admin(`drop database if exists "${database}" with (force)`).catch(() => undefined);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const workspace = await createDemoWorkspace({ instances: 2, errorReporting: false });
  onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
  const token = generateToken();
  const env = { SLIPWAY_TOKEN: token, DATABASE_URL: url.toString() };
  const ports = [workspace.ports.coordinator, await freePort()];
  const processes = new Map<number, ChildProcess>();
  const clients = new Map(ports.map((p) => [p, new ApiClient(`http://127.0.0.1:${p}`, token)]));
  const start = async (port: number) => {
    const args = ['coordinator', '--config', workspace.configPath, '--listen', `127.0.0.1:${port}`];
    processes.set(port, launch(cliCommand(args), env));
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 120_000);
  };
  const role = async (port: number) =>
    (
      await clients
        .get(port)!
        .call<{ role: string }>('GET', '/api/v1/system/leader')
        .catch(() => undefined)
    )?.role;
  const load = new LoadGenerator({
    url: `http://127.0.0.1:${workspace.ports.staging}`,
    rate,
    connections: 128,
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
  });
  let loadStarted = false;
  try {
    for (const port of ports) await start(port);
    const first = clients.get(ports[0]!)!;
    const { config, raw } = await loadConfigWithRaw(workspace.configPath);
    await first.call('PUT', `/api/v1/projects/${config.project}`, { config: raw, baseDir: config.baseDir });
    const deploy = async (client: ApiClient, version: string) =>
      (
        await client.call<{ deployment: DeploymentView }>('POST', `/api/v1/projects/${config.project}/deployments`, {
          service: 'quote-api',
          environment: 'staging',
          version,
          strategy: 'blue-green',
        })
      ).deployment;
    progress('deploying 1.0.0');
    await followDeployment(first, (await deploy(first, '1.0.0')).id, () => undefined);
    load.start();
    loadStarted = true;
    const results: Trial[] = [];
    for (let t = 0; t < trials; t++) {
      const leaderPort = (await role(ports[0]!)) === 'leader' ? ports[0]! : ports[1]!;
      const otherPort = ports.find((p) => p !== leaderPort)!;
      const leader = clients.get(leaderPort)!;
      const other = clients.get(otherPort)!;
      const d = await deploy(leader, `${t + 2}.0.0`);
      for (;;) {
        const { deployment } = await leader.call<{ deployment: DeploymentView }>('GET', `/api/v1/deployments/${d.id}`);
        if (deployment.step >= 1) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      progress(`trial ${t + 1}: SIGKILL of the leader on :${leaderPort} during ${d.id}`);
      const killedAt = Date.now();
      processes.get(leaderPort)!.kill('SIGKILL');
      let leaseAt = 0;
      while (!leaseAt) {
        if ((await role(otherPort)) === 'leader') leaseAt = Date.now();
        else await new Promise((r) => setTimeout(r, 25));
      }
      const final = await followDeployment(other, d.id, () => undefined);
      const { events } = await other.call<{ events: { kind: string; at: string }[] }>(
        'GET',
        `/api/v1/deployments/${d.id}/events`,
      );
      const resumed = events.find((e) => e.kind === 'deployment.resumed');
      results.push({
        killed: `:${leaderPort}`,
        leaseMs: leaseAt - killedAt,
        takeoverMs: resumed ? Date.parse(resumed.at) - killedAt : Number.NaN,
        deploymentState: final.state,
        deployMs: Date.parse(final.finishedAt!) - Date.parse(final.startedAt!),
      });
      progress(`trial ${t + 1}: ${JSON.stringify(results.at(-1))}`);
      await start(leaderPort); // back as a follower
    }
    const report = await load.stop();
    loadStarted = false;
    const takeovers = results.map((r) => r.takeoverMs);
    const leases = results.map((r) => r.leaseMs);
    const result = {
      benchmark: 'leader-sigkill',
      machine: machine(),
      loadAverage1m: loadavg()[0],
      lease: { ttlMs: 3000, renewMs: 1000, pollMs: 500 },
      trials: results,
      takeoverMs: { median: median(takeovers), max: Math.max(...takeovers) },
      leaseMs: { median: median(leases), max: Math.max(...leases) },
      allSucceeded: results.every((r) => r.deploymentState === 'succeeded'),
      load: {
        rate,
        requests: report.requests,
        failed: report.failed,
        p99Ms: report.p99Ms,
        failures: report.failures.slice(0, 5),
      },
    };
    process.stdout.write(wantsJson ? `${JSON.stringify(result, null, 2)}\n` : `${JSON.stringify(result)}\n`);
  } finally {
    if (loadStarted) await load.stop().catch(() => undefined);
    // Followers first: a leader stopping with its instances hands the lease on, and a follower still running
    // would take it and start the proxy again.
    const roles = await Promise.all(ports.map(role));
    for (const port of [...ports].sort(
      (a, b) => Number(roles[ports.indexOf(a)] === 'leader') - Number(roles[ports.indexOf(b)] === 'leader'),
    )) {
      await clients
        .get(port)!
        .call('POST', '/api/v1/system/shutdown', { stopInstances: true })
        .catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 3000));
    for (const child of processes.values()) await stop(child);
    await dropDatabase();
    // KEEP_BENCH_LOGS=DIR keeps the coordinators', proxy's and instances' logs for a post-mortem.
    if (process.env.KEEP_BENCH_LOGS)
      cpSync(path.join(workspace.dir, '.slipway', 'logs'), process.env.KEEP_BENCH_LOGS, { recursive: true });
    rmSync(workspace.dir, { recursive: true, force: true });
  }
}

await main();
