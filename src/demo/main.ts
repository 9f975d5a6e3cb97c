import '../shared/wasm-baseline.js';
import { rmSync } from 'node:fs';
import { generateToken } from '../api/auth.js';
import { startCoordinator } from '../app/coordinator.js';
import { loadConfigWithRaw } from '../config/load.js';
import { ApiClient } from '../cli/client.js';
import { followDeployment, type DeploymentView, type EventView } from '../cli/follow.js';
import { bold, cyan, dim, green, red, yellow } from '../cli/output.js';
import { stateText } from '../cli/state-word.js';
import { formatDuration } from '../shared/duration.js';
import { isExiting, onExit, runCleanups, signalsEndNormally, tagThisRun } from '../shared/exit-cleanup.js';
import { incidentOpenedBy } from './incident-of.js';
import { LoadGenerator } from './load-generator.js';
import { runPlatformPart } from './platform-part.js';
import { tryItLines } from './try-it.js';
import { createDemoWorkspace } from './workspace.js';

/**
 * `npm start`: the whole of Slipway on this machine. Starts the coordinator and the proxy,
 * deploys harbor-quote 1.0.0, then 2.0.0 blue-green and 3.0.0 rolling under steady traffic,
 * reports what the clients saw; then, when PostgreSQL answers, the platform part (the seed's whole stack released as
 * one, src/demo/platform.ts, in its own process); and leaves the first part serving until Ctrl-C.
 * SLIPWAY_DEMO_PLATFORM=0 leaves the platform part out.
 */
const say = (line = '') => process.stdout.write(`${line}\n`);

/** Say so when the post-deploy watch rolled `d` back: the next deployment waits for that rollback. */
async function sayWatchOutcome(client: ApiClient, d: DeploymentView): Promise<void> {
  const { deployment } = await client.call<{ deployment: DeploymentView }>('GET', `/api/v1/deployments/${d.id}`);
  const watch = deployment.watch;
  if (watch?.state !== 'regressed') return;
  say(
    yellow(`! the post-deploy watch found ${d.to.version} worse than ${d.from?.version ?? 'before'}: ${watch.reason}`),
  );
  if (watch.rollback) say(yellow(`  it rolled back (${watch.rollback}); the next deployment waits for that rollback`));
}

async function deployAndWatch(
  client: ApiClient,
  project: string,
  version: string,
  strategy?: string,
  set?: Record<string, string>,
  /** The deployment before this one: its post-deploy watch may have rolled it back meanwhile. */
  previous?: DeploymentView,
): Promise<{ deployment: DeploymentView; switchMs?: number }> {
  const { deployment } = await client.call<{ deployment: DeploymentView }>(
    'POST',
    `/api/v1/projects/${project}/deployments`,
    {
      service: 'quote-api',
      environment: 'staging',
      version,
      ...(strategy ? { strategy } : {}),
      ...(set ? { set } : {}),
      // Behind the watch's rollback, should the previous release have regressed (a busy machine's slow answers can).
      queue: true,
    },
  );
  if (previous) await sayWatchOutcome(client, previous);
  say(
    `${bold(`deploy ${version}`)} ` +
      `${dim(`(${deployment.strategy}, ${deployment.steps.length} steps, ${deployment.id})`)}`,
  );
  const started = Date.parse(deployment.startedAt ?? deployment.createdAt);
  let switchAt: number | undefined;
  const final = await followDeployment(client, deployment.id, (e: EventView) => {
    if (
      e.kind === 'traffic.shifted' &&
      switchAt === undefined &&
      Number((e.data.candidate as { weight?: number })?.weight) > 0
    )
      switchAt = Date.parse(e.at);
    if (
      [
        'deployment.step.started',
        'traffic.shifted',
        'deployment.finished',
        'deployment.rolling_back',
        'analysis.fail',
      ].includes(e.kind)
    ) {
      say(`  ${dim(`+${formatDuration(Date.parse(e.at) - started).padStart(6)}`)}  ${e.message}`);
    }
  });
  if (final.state !== 'succeeded' && !set?.FAIL_RATE)
    throw new Error(`deployment of ${version} ${stateText(final.state)}: ${final.reason}`);
  return { deployment: final, switchMs: switchAt === undefined ? undefined : switchAt - started };
}

async function main(): Promise<void> {
  // Everything the demo starts (coordinator, proxy, instances) carries this tag, and is stopped
  // when the demo ends — Ctrl-C, SIGTERM, a crash — whatever stage it reached.
  tagThisRun();
  signalsEndNormally();
  const workspace = await createDemoWorkspace();
  onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
  const { config, raw } = await loadConfigWithRaw(workspace.configPath);
  say(bold('Slipway demo') + dim(`  workspace ${workspace.dir}`));
  say(dim('starting the coordinator (embedded PostgreSQL via PGlite) and the proxy…'));
  const token = generateToken();
  const coordinator = await startCoordinator({ config, token });
  onExit(async () => {
    say('\nstopping instances, proxy and coordinator…');
    await coordinator.close({ stopInstances: true });
  });

  try {
    const api = new ApiClient(coordinator.url, token);
    await api.call('PUT', `/api/v1/projects/${config.project}`, {
      config: raw,
      baseDir: config.baseDir,
      file: workspace.configPath,
    });
    const staging = `http://127.0.0.1:${workspace.ports.staging}`;

    await deployAndWatch(api, config.project, '1.0.0');
    say(`${green('✔')} 1.0.0 serves ${cyan(staging)}\n`);

    const load = new LoadGenerator({
      url: staging,
      rate: 200,
      mix: [
        {
          method: 'POST',
          path: '/quotes',
          body: JSON.stringify({ tonnage: 42000, vesselClass: 'tanker', routeRisk: 3 }),
          share: 0.6,
        },
        { method: 'GET', path: '/quotes/sample', share: 0.39 },
        { method: 'GET', path: '/quotes/sample?delayMs=2000', share: 0.01 },
      ],
    });
    load.start();
    say(dim('steady traffic: 200 requests/s (1 % of them take 2 s, so some are in flight at every switch)\n'));
    const blueGreen = await deployAndWatch(api, config.project, '2.0.0');
    say(`${green('✔')} 2.0.0 live (blue-green); 1.0.0 kept warm for instant rollback\n`);
    const rolling = await deployAndWatch(api, config.project, '3.0.0', 'rolling', undefined, blueGreen.deployment);
    say(`${green('✔')} 3.0.0 live (rolling)\n`);
    say(dim('now a bad release: 4.0.0 answers 500 to 20 % of requests, deployed as a canary at 5 % of traffic'));
    const bad = await deployAndWatch(api, config.project, '4.0.0', 'canary', { FAIL_RATE: '0.2' }, rolling.deployment);
    const badMs = Date.parse(bad.deployment.finishedAt!) - Date.parse(bad.deployment.startedAt!);
    say(
      `${bad.deployment.state === 'rolled_back' ? green('✔') : red('✘')} 4.0.0 ` +
        `${stateText(bad.deployment.state)} by the judge: ${bad.deployment.reason ?? ''}`,
    );
    // The rollback opens an incident (what the on-call would be paged with): say which, as the coordinator has it
    // (its title repeats the reason just shown; the commands to look at it come with "try it" below).
    const incident = await incidentOpenedBy(api, config.project, bad.deployment);
    if (incident) say(`  the rollback opened incident ${bold(incident.id)} (${incident.severity}, ${incident.state})`);
    say();
    await new Promise((r) => setTimeout(r, 2500)); // let the last slow requests finish on the new release
    const report = await load.stop();

    say(bold('Report'));
    say(`  requests served      ${report.requests}`);
    const badErrors = report.failedByRelease['4.0.0'] ?? 0;
    const otherFailures = report.failed - badErrors;
    say(
      `  failed requests      ${otherFailures === 0 ? green('0') : red(String(otherFailures))} on releases ` +
        `1.0.0–3.0.0, across two switches`,
    );
    say(
      `  bad canary 4.0.0     ${report.byRelease['4.0.0'] ?? 0} requests reached it (its 5 % share), ${badErrors} ` +
        `answered 500; the judge rolled it back after ${formatDuration(badMs)}`,
    );
    say(`  latency p50 / p99    ${report.p50Ms} ms / ${report.p99Ms} ms`);
    say(
      `  served by release    ${Object.entries(report.byRelease)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ')}`,
    );
    say(
      `  blue-green 1→2       switch after ${formatDuration(blueGreen.switchMs ?? 0)}, done in ` +
        `${formatDuration(Date.parse(blueGreen.deployment.finishedAt!) - Date.parse(blueGreen.deployment.startedAt!))}`,
    );
    say(
      `  rolling 2→3          first shift after ${formatDuration(rolling.switchMs ?? 0)}, done in ` +
        `${formatDuration(Date.parse(rolling.deployment.finishedAt!) - Date.parse(rolling.deployment.startedAt!))}`,
    );
    // 4.0.0's 500s are the bad canary's, counted above; any other failure is one the clients should not have seen.
    for (const f of report.failures.filter((f) => f.release !== '4.0.0').slice(0, 5))
      say(red(`  failed request       ${f.path}: ${f.status ?? f.error}${f.release ? ` from ${f.release}` : ''}`));
    say('');
    const platform = process.env.SLIPWAY_DEMO_PLATFORM === '0' ? 'skipped' : await runPlatformPart(say);
    // Ctrl-C during the platform part: everything is stopping, so no "still running" and no "failed".
    if (isExiting()) return;
    if (platform !== 'skipped') say();
    for (const line of tryItLines({
      project: config.project,
      staging,
      coordinatorUrl: coordinator.url,
      token,
      configPath: workspace.configPath,
      ...(incident ? { incident: incident.id } : {}),
    }))
      say(line);
    if (platform === 'skipped')
      say(
        `  the seed's whole stack (React page, FastAPI, PostgreSQL, Node) released as one, a browser on the page: ` +
          'npm run demo:platform',
      );
    if (platform === 'failed') say(red('  the platform part failed (its output is above)'));
    say(dim('Ctrl-C stops everything the demo started.'));
  } catch (e) {
    // Stopped by a signal mid-run: the requests under way fail as the coordinator closes; the stop sets the exit code.
    if (isExiting()) return;
    say(red(`demo failed: ${(e as Error).message}`));
    await runCleanups();
    process.exit(1);
  }
}

await main();
