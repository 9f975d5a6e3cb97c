// npm run screenshots:steer: the steering views (pipeline, audit, an instance's log) at 1280 px and 390 px,
// written to docs/screenshots/, from a real coordinator where production waits for an approval.
import path from 'node:path';
import {
  createUser,
  dashboardUrl,
  ensureDashboardBuilt,
  launchChromium,
  logIn,
  newContext,
} from '../test/support/dashboard.js';
import { repoRoot } from '../test/support/entry.js';
import { System } from '../test/support/system.js';

const out = path.join(repoRoot, 'docs', 'screenshots');

ensureDashboardBuilt();
const system = await System.start({
  store: 'embedded',
  instances: 1,
  drainTimeout: '1s',
  environmentExtras: { production: 'requires: [staging], approvals: { required: 1, approvers: ["role:approver"] }' },
});
const browser = await launchChromium();
try {
  const ada = await createUser(system, 'ada', [{ role: 'admin', environments: '*' }], { totp: true });
  await system.deployed('1.0.0');
  await system.deployed('1.1.0');
  const { instances } = await system.client.call<{ instances: { id: string }[] }>(
    'GET',
    '/api/v1/instances?environment=staging',
  );
  const views: [string, string, string][] = [
    ['pipeline', '/pipeline', 'table.pipeline'],
    ['audit', '/audit', 'table.audit'],
    ['logs', `/instances/${instances.at(-1)!.id}/logs`, '[data-testid="log"]'],
  ];
  for (const width of [1280, 390]) {
    const context = await newContext(browser, width);
    const page = await context.newPage();
    await page.goto(dashboardUrl(system, '/login'));
    // A TOTP code counts once (enrolment used one): log in with the next period's code.
    await new Promise((r) => setTimeout(r, 30_500 - (Date.now() % 30_000)));
    await logIn(page, ada);
    await page.locator('.who').waitFor();
    for (const [name, url, ready] of views) {
      await page.goto(dashboardUrl(system, url));
      await page.locator(ready).waitFor();
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(out, `${name}-${width}.png`), fullPage: true });
      console.log(`screenshots: ${name}-${width}.png`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await system.close();
}
