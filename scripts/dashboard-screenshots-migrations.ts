// npm run screenshots:migrations: the Migrations view at 1280 px and 390 px, written to docs/screenshots/, from a real
// coordinator and PostgreSQL where release 1.0.0 applied two migrations and its contract migration waits; a deployer
// has asked for staging's plan and shadow dry run.
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
import { systemWithMigrations } from '../test/support/migrations-system.js';

const out = path.join(repoRoot, 'docs', 'screenshots');

ensureDashboardBuilt();
const { system, database } = await systemWithMigrations();
const browser = await launchChromium();
try {
  const dee = await createUser(system, 'dee', [{ role: 'deployer', environments: '*' }]);
  for (const width of [1280, 390]) {
    const context = await newContext(browser, width);
    const page = await context.newPage();
    await page.goto(dashboardUrl(system, '/migrations'));
    await logIn(page, dee);
    await page.locator('[data-contract="0003_drop_tonnage"]').first().waitFor();
    const plan = page.getByTestId('plan-staging');
    await plan.getByRole('button', { name: 'Plan and dry-run' }).click();
    await plan.getByTestId('dry-run-verdict').waitFor({ timeout: 120_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(out, `migrations-${width}.png`), fullPage: true });
    console.log(`screenshots: migrations-${width}.png`);
    await context.close();
  }
} finally {
  await browser.close();
  await system.close();
  await database.drop();
}
