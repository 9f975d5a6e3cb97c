/**
 * npm run bench:release -- --json [--rate N] [--api-instances N] [--identity] [--connections N]
 *
 * harbor-platform released across its tiers under load, through the real proxy, on a real
 * coordinator process, with PostgreSQL, the FastAPI api, Slipway's static server and harbor-quote:
 * N page loads/s (default 200: index.html, then the assets it names, then POST /api/quotes with the
 * page's release cookie) while 2.0.0 is released (expand migration, new page) and while 3.0.0 fails
 * (its pricing crashes on start; the page and the api, which had moved, go back).
 * Reports failed requests per tier (target 0) and the time from the release request to all tiers
 * live, and to all tiers back. Page and asset requests accept brotli and gzip as browsers do; `--identity` asks for the
 * files as built (the 232 KB main chunk instead of its brotli copy).
 */
import { rmSync } from 'node:fs';
import { generateToken } from '../src/api/auth.js';
import { cliCommand } from '../src/app/proxy-command.js';
import { ApiClient } from '../src/cli/client.js';
import { loadConfigWithRaw } from '../src/config/load.js';
import { PageVisits } from '../src/demo/page-visits.js';
import { buildPages, missingForPlatform, releaseAndWait } from '../src/demo/platform-run.js';
import { createPlatformWorkspace } from '../src/demo/platform-workspace.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { launch, machine, printResult, progress, refuse, waitForHttp, shutDownCoordinator } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rate = arg('rate', 200);
if (!(rate > 0)) await refuse('--rate: expected a number of page loads per second > 0');
// uvicorn runs one Python process per instance: on two cores, two instances serve more quotes than one.
const apiInstances = arg('api-instances', 2);
if (!(Number.isInteger(apiInstances) && apiInstances > 0)) await refuse('--api-instances: expected a whole number > 0');
const missing = await missingForPlatform({ browser: false });
if (missing.length > 0) await refuse(`bench:release needs ${missing.join(', and ')}`);

const workspace = await createPlatformWorkspace({ apiInstances }).catch((e: Error) => refuse(e.message));
onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
onExit(() => workspace.dropDatabase());
progress('building the page releases (Vite)…');
await buildPages(workspace.buildRoot);
const token = generateToken();
const coordinator = launch(cliCommand(['coordinator', '--config', workspace.configPath]), {
  SLIPWAY_TOKEN: token,
  HARBOR_DATABASE_URL: workspace.databaseUrl,
});
const client = new ApiClient(`http://127.0.0.1:${workspace.ports.coordinator}`, token);
onExit(async () => {
  await shutDownCoordinator(client, coordinator);
});
await waitForHttp(`http://127.0.0.1:${workspace.ports.coordinator}/healthz`, 120_000);
const { config, raw } = await loadConfigWithRaw(workspace.configPath);
await client.call('PUT', `/api/v1/projects/${config.project}`, { config: raw, baseDir: config.baseDir });
const staging = `http://127.0.0.1:${workspace.ports.staging}`;
const release = async (version: string) => {
  const outcome = await releaseAndWait(client, config.project, version, (line) => progress(line));
  progress(`${version} ${outcome.rollout.state} in ${outcome.ms} ms`);
  return outcome;
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const first = await release('1.0.0');
if (first.rollout.state !== 'succeeded') await refuse(`1.0.0 ${first.rollout.state}: ${first.rollout.reason}`);
const encoding = process.argv.includes('--identity') ? 'identity' : 'gzip, deflate, br';
const connections = arg('connections', 64);
const visits = new PageVisits(staging, rate, encoding, connections);
const started = Date.now();
visits.start();
progress(`${rate} page loads/s (+ assets + a quote each)`);
await pause(3000);
const second = await release('2.0.0');
await pause(3000);
const third = await release('3.0.0');
await pause(3000);
const seen = await visits.stop();
const seconds = (Date.now() - started) / 1000;

await printResult({
  bench: 'release',
  machine: machine(),
  load: {
    pageLoadsPerSecond: rate,
    achievedPageLoadsPerSecond: Math.round(seen.tiers.page.requests / seconds),
    seconds: Math.round(seconds),
    acceptEncoding: encoding,
    connections,
    assetMegabytes: Math.round(visits.bytes / 1e5) / 10,
  },
  tiers: seen.tiers,
  failedRequests: seen.failed,
  firstFailures: seen.failures.slice(0, 10),
  apiInstances,
  release2: {
    state: second.rollout.state,
    msToAllTiersLive: second.ms,
    components: second.rollout.components.map((c) => `${c.service} ${c.phase}`),
    reason: second.rollout.reason,
  },
  release3: {
    state: third.rollout.state,
    msToAllTiersBack: third.ms,
    components: third.rollout.components.map((c) => `${c.service} ${c.phase}`),
    reason: third.rollout.reason,
  },
});
