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
  type Page,
  seriousViolations,
} from './support/dashboard.js';
import { loadConfigWithRaw } from '../src/config/load.js';
import { System } from './support/system.js';

/**
 * The steering views in Debian's Chromium against a real coordinator: the pipeline (a release
 * waiting for production's approval; rejected with a reason that carries HTML, shown as text;
 * approved after the page asked for TOTP because the API did; promoted by a deployer and seen
 * live), a viewer's disabled decisions with the reason, the audit log with its filters and the
 * chain's verification, and an instance's log followed from the deployment page. axe-core on each.
 */
let system: System;
let browser: Browser;
let ada: LocalUser;
let dana: LocalUser;
let mara: LocalUser;
let vic: LocalUser;
const pageErrors: string[] = [];
const stage = (page: Page, env: string) => page.getByTestId(`stage-quote-api-1.0.0-${env}`);

beforeAll(async () => {
  ensureDashboardBuilt();
  system = await System.start({
    instances: 1,
    drainTimeout: '1s',
    environmentExtras: { production: 'requires: [staging], approvals: { required: 1, approvers: ["role:approver"] }' },
  });
  ada = await createUser(system, 'ada', [{ role: 'admin', environments: '*' }], { totp: true });
  dana = await createUser(system, 'dana', [{ role: 'deployer', environments: '*' }]);
  mara = await createUser(system, 'mara', [{ role: 'approver', environments: ['production'] }], { totp: true });
  vic = await createUser(system, 'vic', [{ role: 'viewer', environments: '*' }]);
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await system?.close();
}, 120_000);

/** A page of its own (own cookies), logged in as `user` (with the TOTP code only when asked), at `path`. */
async function open(user: LocalUser, path: string, options: { totp?: boolean } = {}) {
  const context = await newContext(browser, 1280);
  const page = await context.newPage();
  page.on('console', (m) => {
    // The 403 that asks for TOTP is an expected answer; anything else (a CSP refusal, a crash) is a failure.
    // ERR_NETWORK_CHANGED: the container tests' dockerd changes this machine's interfaces; not the page's doing.
    if (m.type() === 'error' && !/status of 40[13]|ERR_NETWORK_CHANGED/.test(m.text())) pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(dashboardUrl(system, path));
  await logIn(page, options.totp ? user : { ...user, totp: undefined });
  await page.locator('.who').waitFor();
  return { context, page };
}

describe('the steering views in Chromium', () => {
  it('shows what a release waits for; a viewer sees approve, reject and promote disabled with the reason', async () => {
    const { context, page } = await open(vic, '/pipeline');
    await page.getByRole('heading', { name: 'Pipeline' }).waitFor();
    await expect.poll(() => stage(page, 'staging').textContent(), { timeout: 30_000 }).toContain('live');
    const production = stage(page, 'production');
    await expect.poll(() => production.textContent(), { timeout: 30_000 }).toContain('Approvals 0/1');
    expect(await production.textContent()).toMatch(/production needs 1 approval of quote-api 1\.0\.0/);
    expect(await production.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await production.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(true);
    expect(await production.getByTestId('denied').textContent()).toBe(
      'Disabled: needs the approver role on production; vic has viewer on *.',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('rejects with a reason shown as text, approves once asked for TOTP; a deployer promotes it live', async () => {
    const { context, page } = await open(mara, '/pipeline');
    const production = stage(page, 'production');
    await production.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByTestId('consequence').textContent()).toContain('Reject quote-api 1.0.0 for production');
    const reason = '<b>not before the load test</b><img src=x onerror=alert(1)>';
    await dialog.getByLabel(/Reason/).fill(reason);
    await dialog.getByRole('button', { name: 'Yes, reject' }).click();
    // The session was logged in without TOTP; the API refuses the decision, so the dialog asks for it.
    await dialog.getByTestId('totp-needed').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toMatch(/TOTP required for approvals on production/);
    await dialog.getByLabel('Password').fill(mara.password);
    await dialog.getByLabel('TOTP code').fill(mara.totp!.generate());
    await dialog.getByRole('button', { name: 'Yes, reject' }).click();
    expect(await dialog.getByTestId('decided').textContent()).toMatch(/^Rejected:/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => production.textContent(), { timeout: 30_000 }).toContain(`Rejected by mara: ${reason}`);
    expect(await production.locator('b, img').count()).toBe(0);
    expect(await page.locator('.who').textContent()).toBe('mara (TOTP)');

    // Its author approves after all: the session has TOTP now, so nothing more is asked.
    await production.getByRole('button', { name: 'Approve' }).click();
    await dialog.getByRole('button', { name: 'Yes, approve' }).click();
    expect(await dialog.getByTestId('decided').textContent()).toMatch(/^Approved:/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => production.textContent(), { timeout: 30_000 }).toContain('ready to promote');
    // An approver is not a deployer: promoting is disabled, saying why.
    expect(await production.getByRole('button', { name: 'Promote' }).isDisabled()).toBe(true);
    expect(await production.getByTestId('denied').textContent()).toMatch(/needs the deployer role on production/);
    expect(await seriousViolations(page)).toEqual([]);

    const deployer = await open(dana, '/pipeline');
    const target = stage(deployer.page, 'production');
    await target.getByRole('button', { name: 'Promote' }).click();
    const confirm = deployer.page.getByRole('dialog');
    expect(await confirm.getByTestId('consequence').textContent()).toContain('Deploy release 1.0.0');
    await confirm.getByRole('button', { name: 'Yes, promote' }).click();
    expect(await confirm.getByTestId('decided').textContent()).toMatch(/Promoting 1\.0\.0 to production: 1 deployment/);
    await confirm.getByRole('button', { name: 'Close' }).click();
    // Both pages follow the event stream: neither reloads while production goes live.
    for (const p of [deployer.page, page])
      await expect
        .poll(() => stage(p, 'production').locator('.stage').textContent(), { timeout: 120_000 })
        .toBe('live');
    await deployer.context.close();
    await context.close();
  }, 240_000);

  it('shows the audit log with filters and the verified chain to an admin, and refuses a viewer', async () => {
    const { context, page } = await open(ada, '/audit?actor=mara', { totp: true });
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.locator('table.audit tbody');
    await expect.poll(() => table.locator('tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const actions = await table.locator('td:nth-child(4)').allTextContents();
    expect(actions).toContain('approval.decide');
    const actors = await table.locator('td:nth-child(3)').allTextContents();
    expect(actors.every((a) => a.includes('mara'))).toBe(true);
    await page.getByLabel('Outcome').selectOption('denied');
    // The decision refused for want of TOTP is in the log as denied.
    await expect.poll(() => table.locator('td:nth-child(4)').allTextContents()).toEqual(['approval.decide']);
    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    expect(await page.getByTestId('verify').textContent()).toMatch(/^Chain intact: \d+ rows checked, head #\d+/);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();

    const viewer = await open(vic, '/audit');
    expect(await viewer.page.getByTestId('denied').textContent()).toBe(
      'The audit log is for admins: vic has viewer on *.',
    );
    await viewer.context.close();
  }, 90_000);

  it("follows an instance's log from the deployment page", async () => {
    const { deployments } = (await system.client.call('GET', '/api/v1/deployments?environment=staging&limit=5')) as {
      deployments: { id: string; state: string }[];
    };
    const { context, page } = await open(vic, `/deployments/${deployments.at(-1)!.id}`);
    const link = page.getByRole('link', { name: /^Log of / }).first();
    await link.click();
    await page.getByRole('heading', { name: /^Log of / }).waitFor();
    const id = (await page.locator('h1 code').textContent())!;
    await expect.poll(() => page.getByTestId('log-state').textContent(), { timeout: 30_000 }).toMatch(/^following/);
    // The page shows what the API's log says, line for line (the newest lines may have arrived since).
    const res = await fetch(`${dashboardUrl(system, `/api/v1/instances/${id}/logs?tail=5`)}`, {
      headers: { authorization: `Bearer ${system.token}` },
    });
    const apiLines = (await res.text()).split('\n').filter(Boolean);
    expect(apiLines.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('log').textContent(), { timeout: 30_000 }).toContain(apiLines[0]);
    expect(await page.getByTestId('instance-summary').textContent()).toMatch(/^quote-api 1\.0\.0 in staging: /);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('offers single sign-on on the login page once a provider is configured', async () => {
    const context = await newContext(browser, 1280);
    const page = await context.newPage();
    await page.goto(dashboardUrl(system, '/login'));
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await page.getByTestId('sso').count()).toBe(0);
    const { config, raw } = await loadConfigWithRaw(system.workspace.configPath);
    const port = system.workspace.ports.coordinator;
    await system.client.call('PUT', `/api/v1/projects/${config.project}`, {
      config: {
        ...(raw as object),
        sso: {
          issuer: 'http://127.0.0.1:9/idp',
          clientId: 'slipway',
          clientSecret: 'env:SLIPWAY_TEST_SSO_SECRET',
          redirectUri: `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`,
          groups: { ops: ['viewer:*'] },
        },
      },
      baseDir: config.baseDir,
      file: system.workspace.configPath,
    });
    await page.reload();
    const button = page.getByRole('link', { name: 'Log in with single sign-on' });
    await button.waitFor();
    expect(await button.getAttribute('href')).toBe('/api/v1/auth/oidc/start');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
