// npm run screenshots: every dashboard view at 1280 px and 390 px (and the overview in dark), written to
// docs/screenshots/, from a real coordinator with a real rolled-back canary (its verdicts and charts) behind it.
import path from 'node:path';
import { LoadGenerator } from '../src/demo/load-generator.js';
import {
  createUser,
  dashboardUrl,
  ensureDashboardBuilt,
  launchChromium,
  logIn,
  newContext,
} from '../test/support/dashboard.js';
import { repoRoot } from '../test/support/entry.js';
import { until } from '../test/support/processes.js';
import { System } from '../test/support/system.js';

const out = path.join(repoRoot, 'docs', 'screenshots');
const strategy =
  '{ type: canary, steps: [{ setWeight: 20 }, { analyze: { for: 20s } }, { setWeight: 50 }, ' +
  '{ analyze: { for: 4s } }], analysis: { interval: 500ms } }';

ensureDashboardBuilt();
const system = await System.start({ store: 'embedded', instances: 2, drainTimeout: '1s', strategy });
const load = new LoadGenerator({
  url: system.stagingUrl,
  rate: 80,
  mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
});
const browser = await launchChromium();
try {
  const dana = await createUser(system, 'dana', [{ role: 'deployer', environments: '*' }]);
  await system.deployed('1.0.0');
  await system.deployed('1.0.0', { environment: 'production' });
  load.start();
  await system.deployed('1.1.0');
  const failed = await system.deployed('1.2.0', { set: { FAIL_RATE: '0.3' } });
  // Held at its first analysis, so the running view has a plan in progress, weights and live figures.
  const running = await system.deploy('1.1.1');
  await until(
    'the candidate to take traffic',
    async () =>
      (
        await system.client.call<{ deployment: { trafficShifted: boolean } }>(
          'GET',
          `/api/v1/deployments/${running.id}`,
        )
      ).deployment.trafficShifted,
    60_000,
  );
  await new Promise((r) => setTimeout(r, 4000));
  await system.client.call('POST', `/api/v1/deployments/${running.id}/pause`);
  const views: [string, string][] = [
    ['overview', '/'],
    ['deployment-rolled-back', `/deployments/${failed.id}`],
    ['deployment-running', `/deployments/${running.id}`],
    ['history', '/history'],
  ];
  for (const [width, scheme] of [
    [1280, 'light'],
    [390, 'light'],
    [1280, 'dark'],
  ] as const) {
    const context = await newContext(browser, width, scheme);
    const page = await context.newPage();
    await page.goto(dashboardUrl(system, '/login'));
    const suffix = `${width}${scheme === 'dark' ? '-dark' : ''}`;
    if (scheme === 'light') await page.screenshot({ path: path.join(out, `login-${suffix}.png`) });
    await logIn(page, dana);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    for (const [name, url] of views) {
      if (scheme === 'dark' && name !== 'overview' && name !== 'deployment-rolled-back') continue;
      await page.goto(dashboardUrl(system, url));
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(out, `${name}-${suffix}.png`), fullPage: true });
      console.log(`screenshots: ${name}-${suffix}.png`);
    }
    await context.close();
  }
} finally {
  await load.stop();
  await browser.close();
  await system.close();
}
