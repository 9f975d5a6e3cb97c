import '../shared/wasm-baseline.js';
import { rmSync } from 'node:fs';
import { generateToken } from '../api/auth.js';
import { startCoordinator } from '../app/coordinator.js';
import { ApiClient } from '../cli/client.js';
import { bold, cyan, dim, green, red } from '../cli/output.js';
import { stateText } from '../cli/state-word.js';
import { loadConfigWithRaw } from '../config/load.js';
import { onExit, runCleanups, tagThisRun } from '../shared/exit-cleanup.js';
import { BrowserUser, chromiumLaunch } from './browser-user.js';
import { PageVisits } from './page-visits.js';
import { buildPages, missingForPlatform, type ReleaseOutcome, releaseAndWait } from './platform-run.js';
import { createPlatformWorkspace } from './platform-workspace.js';

/**
 * `npm run demo:platform`: harbor-platform released as one thing across its tiers — PostgreSQL
 * migrations, the FastAPI api, the Vite page (web) and the Node pricing service — 1.0.0, then 2.0.0
 * (expand migration, new page), then 3.0.0 whose pricing crashes on start, so the page and the api,
 * which had moved, go back. A user in Chromium and simulated visitors use the page throughout; the
 * report says what they saw per tier. Everything it starts is stopped when it ends, however it ends.
 */
const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  tagThisRun();
  const missing = await missingForPlatform();
  if (missing.length > 0) throw new Error(`this demo needs ${missing.join(', and ')}`);
  const { chromium } = await import('playwright-core').catch(() => {
    throw new Error('this demo needs playwright-core (npm install, with the dev dependencies)');
  });
  const workspace = await createPlatformWorkspace();
  onExit(() => rmSync(workspace.dir, { recursive: true, force: true }));
  onExit(() => workspace.dropDatabase());
  say(bold('Slipway platform demo') + dim(`  workspace ${workspace.dir}`));
  say(dim('building the quote page (Vite) for 1.0.0, 2.0.0 and 3.0.0…'));
  await buildPages(workspace.buildRoot);
  // The coordinator runs in this process: the api it starts reads the database from its environment.
  process.env.HARBOR_DATABASE_URL = workspace.databaseUrl;
  const { config, raw } = await loadConfigWithRaw(workspace.configPath);
  const token = generateToken();
  const coordinator = await startCoordinator({ config, token });
  onExit(async () => {
    // Its own: under `npm start` the first part's coordinator and instances go on serving after this.
    say(dim('stopping what the platform demo started (its coordinator, proxy and instances)…'));
    await coordinator.close({ stopInstances: true });
  });
  const api = new ApiClient(coordinator.url, token);
  await api.call('PUT', `/api/v1/projects/${config.project}`, {
    config: raw,
    baseDir: config.baseDir,
    file: workspace.configPath,
  });
  const staging = `http://127.0.0.1:${workspace.ports.staging}`;
  const release = async (version: string, note: string): Promise<ReleaseOutcome> => {
    say(`${bold(`release ${version}`)} ${dim(note)}`);
    const outcome = await releaseAndWait(api, config.project, version, (line) => say(`  ${dim(line)}`));
    const { rollout } = outcome;
    const mark = rollout.state === 'succeeded' ? green('✔') : red('↩');
    say(`${mark} ${version} ${stateText(rollout.state)} in ${seconds(outcome.ms)}`);
    if (rollout.reason) say(`  ${dim(`reason: ${rollout.reason}`)}`);
    say();
    return outcome;
  };

  const first = await release('1.0.0', '(migration 0001; api → web → pricing)');
  if (first.rollout.state !== 'succeeded') throw new Error(`1.0.0 ${first.rollout.state}: ${first.rollout.reason}`);
  const browser = await chromium.launch(chromiumLaunch);
  onExit(() => browser.close());
  const user = new BrowserUser(browser, staging);
  await user.start();
  const visits = new PageVisits(staging, 20);
  visits.start();
  say(dim(`a user in Chromium keeps loading ${staging} and getting quotes; 20 visitors/s load it and ask too\n`));
  await new Promise((r) => setTimeout(r, 3000));
  const second = await release('2.0.0', '(expand migration 0002, then the new page and pricing model v2)');
  await new Promise((r) => setTimeout(r, 3000));
  const third = await release('3.0.0', '(its pricing crashes on start: the page and the api, which moved, go back)');
  await new Promise((r) => setTimeout(r, 3000));
  await user.stop();
  const seen = await visits.stop();

  say(bold('What the clients saw'));
  say(`  ${bold('browser user')} (${user.rounds} rounds of load page + get a quote)`);
  for (const line of user.tally.lines()) say(`    ${line}`);
  for (const p of user.problems.slice(0, 5)) say(red(`    problem: ${p}`));
  say(`  ${bold('visitors')} (page load, then a quote with the page's release cookie)`);
  for (const line of seen.lines()) say(`    ${line}`);
  for (const f of [...user.tally.failures, ...seen.failures].slice(0, 8)) say(red(`    failed: ${f}`));
  say(bold('Times from `release` to the end'));
  say(`  1.0.0 all tiers live   ${seconds(first.ms)}`);
  say(`  2.0.0 all tiers live   ${seconds(second.ms)} (${stateText(second.rollout.state)})`);
  say(
    `  3.0.0 all tiers back   ${seconds(third.ms)} (${stateText(third.rollout.state)}: ` +
      `${third.rollout.components.map((c) => `${c.service} ${stateText(c.phase)}`).join(', ')})`,
  );
  const failed = user.tally.failed + seen.failed + user.problems.length;
  say(failed === 0 ? green('✔ no failed page load, asset load or API call') : red(`✘ ${failed} failures`));
  say(dim(`coordinator was ${cyan(coordinator.url)}`));
  await runCleanups();
  process.exit(failed === 0 && third.rollout.state === 'rolled_back' ? 0 : 1);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`${red('demo:platform failed:')} ${(e as Error).message}\n`);
  await runCleanups();
  process.exit(1);
}
