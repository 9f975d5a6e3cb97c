import { rmSync } from 'node:fs';
import { generateToken } from '../src/api/auth.js';
import { cliCommand } from '../src/app/proxy-command.js';
import { ApiClient } from '../src/cli/client.js';
import { followDeployment, type DeploymentView, type EventView } from '../src/cli/follow.js';
import { loadConfigWithRaw } from '../src/config/load.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { createDemoWorkspace } from '../src/demo/workspace.js';
import { launch, progress, waitForHttp, shutDownCoordinator } from './support.js';
import { onExit } from '../src/shared/exit-cleanup.js';

export interface StrategyResult {
  strategy: string;
  instances: number;
  rate: number;
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** Deployment start → 100 % of traffic on the candidate, as pushed to the proxy. */
  switchMs: number;
  /** Deployment start → succeeded. */
  deployMs: number;
  /** Requests answered by each release during the run. */
  byRelease: Record<string, number>;
  /** Latency of the ordinary requests alone (the 2 s ones dominate p99 above). */
  fastP50Ms: number;
  fastP99Ms: number;
}

/**
 * Real deployments under load: a coordinator process (with its proxy and instances) on a fresh
 * workspace; harbor-quote 1.0.0 on `instances` instances; then for each strategy a new release
 * is deployed while `rate` req/s flow through the proxy, `slowShare` of them taking 2 s.
 */
/** `slipway rollback` while the previous release is warm: request → traffic on it (proxy acknowledged). */
export interface RollbackResult {
  state: string;
  reusedWarmInstances: boolean;
  switchMs: number;
  doneMs: number;
  requests: number;
  failed: number;
}

export let rollback: RollbackResult | undefined;

export async function measureDeploysUnderLoad(
  options: {
    rate?: number;
    slowShare?: number;
    instances?: number;
    /** Extra keys in the staging environment (e.g. `hosts: [...]` for SSH hosts). */
    stagingExtras?: string;
    /** Staging secrets set through the API before the first deploy (e.g. the SSH key). */
    secrets?: Record<string, string>;
    /** Extra keys of `proxy:` (e.g. `kind: haproxy`). */
    proxy?: string;
  } = {},
): Promise<StrategyResult[]> {
  const rate = options.rate ?? 500;
  const slowShare = options.slowShare ?? 0.02;
  const workspace = await createDemoWorkspace({
    instances: options.instances ?? 4,
    ...(options.stagingExtras ? { environmentExtras: { staging: options.stagingExtras } } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  });
  onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
  const token = generateToken();
  const coordinator = launch(cliCommand(['coordinator', '--config', workspace.configPath]), { SLIPWAY_TOKEN: token });
  const client = new ApiClient(`http://127.0.0.1:${workspace.ports.coordinator}`, token);
  try {
    await waitForHttp(`http://127.0.0.1:${workspace.ports.coordinator}/healthz`, 120_000);
    const { config, raw } = await loadConfigWithRaw(workspace.configPath);
    await client.call('PUT', `/api/v1/projects/${config.project}`, { config: raw, baseDir: config.baseDir });
    for (const [name, value] of Object.entries(options.secrets ?? {}))
      await client.call('PUT', `/api/v1/projects/${config.project}/environments/staging/secrets/${name}`, { value });
    const deploy = async (version: string, strategy?: string) => {
      const { deployment } = await client.call<{ deployment: DeploymentView }>(
        'POST',
        `/api/v1/projects/${config.project}/deployments`,
        {
          service: 'quote-api',
          environment: 'staging',
          version,
          ...(strategy ? { strategy } : {}),
        },
      );
      let switchedAt: number | undefined;
      const final = await followDeployment(client, deployment.id, (e: EventView) => {
        const weights = e.data as { stable?: { weight?: number }; candidate?: { weight?: number } };
        if (e.kind === 'traffic.shifted' && weights.candidate?.weight && !weights.stable?.weight)
          switchedAt ??= Date.parse(e.at);
      });
      if (final.state !== 'succeeded') throw new Error(`deployment of ${version} ${final.state}: ${final.reason}`);
      const start = Date.parse(final.startedAt!);
      return { switchMs: (switchedAt ?? start) - start, deployMs: Date.parse(final.finishedAt!) - start };
    };

    progress(`deploying 1.0.0 on ${options.instances ?? 4} instances`);
    await deploy('1.0.0');
    const results: StrategyResult[] = [];
    for (const [version, strategy] of [
      ['2.0.0', 'blue-green'],
      ['3.0.0', 'rolling'],
    ] as const) {
      const load = new LoadGenerator({
        url: `http://127.0.0.1:${workspace.ports.staging}`,
        rate,
        connections: 256,
        measureFrom: 'sent',
        mix: [
          { method: 'GET', path: '/quotes/sample', share: 1 - slowShare },
          { method: 'GET', path: '/quotes/sample?delayMs=2000', share: slowShare },
        ],
      });
      load.start();
      await new Promise((r) => setTimeout(r, 3000)); // slow requests are in flight before the deploy starts
      progress(`${strategy} deploy of ${version} at ${rate} req/s`);
      const timing = await deploy(version, strategy);
      await new Promise((r) => setTimeout(r, 3000)); // and after it ends
      const report = await load.stop();
      if (report.failed > 0) progress(`failures: ${JSON.stringify(report.failures.slice(0, 5))}`);
      results.push({
        strategy,
        instances: options.instances ?? 4,
        rate,
        requests: report.requests,
        failed: report.failed,
        p50Ms: report.p50Ms,
        p99Ms: report.p99Ms,
        switchMs: timing.switchMs,
        deployMs: timing.deployMs,
        byRelease: report.byRelease,
        fastP50Ms: report.byRequest['GET /quotes/sample']!.p50Ms,
        fastP99Ms: report.byRequest['GET /quotes/sample']!.p99Ms,
      });
    }
    // Instant rollback: 2.0.0's instances were stopped by the rolling deploy; deploy 4.0.0 blue-green
    // so 3.0.0 stays warm, then roll back to it under load.
    await deploy('4.0.0', 'blue-green');
    const load = new LoadGenerator({
      url: `http://127.0.0.1:${workspace.ports.staging}`,
      rate,
      connections: 256,
      measureFrom: 'sent',
      mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
    });
    load.start();
    await new Promise((r) => setTimeout(r, 1000));
    progress('rollback to the warm 3.0.0');
    const asked = Date.now();
    const { deployment } = await client.call<{ deployment: DeploymentView }>(
      'POST',
      `/api/v1/projects/${config.project}/rollbacks`,
      { service: 'quote-api', environment: 'staging' },
    );
    let switchedAt: number | undefined;
    const kinds: string[] = [];
    const final = await followDeployment(client, deployment.id, (e: EventView) => {
      kinds.push(e.kind);
      if (e.kind === 'traffic.shifted') switchedAt ??= Date.parse(e.at);
    });
    await new Promise((r) => setTimeout(r, 1000));
    const report = await load.stop();
    rollback = {
      state: final.state,
      reusedWarmInstances: kinds.includes('instance.reused') && !kinds.includes('instance.started'),
      switchMs: (switchedAt ?? asked) - asked,
      doneMs: Date.parse(final.finishedAt!) - asked,
      requests: report.requests,
      failed: report.failed,
    };
    return results;
  } finally {
    await shutDownCoordinator(client, coordinator);
    rmSync(workspace.dir, { recursive: true, force: true });
  }
}
