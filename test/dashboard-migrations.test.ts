import { request } from 'undici';
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
import { systemWithMigrations } from './support/migrations-system.js';
import type { FreshPostgres } from './support/store.js';
import type { System } from './support/system.js';

/**
 * The Migrations view in Debian's Chromium against a real coordinator and a real PostgreSQL: release 1.0.0's
 * deployment applied two migrations (each linked to that deployment, with its duration and checksum); its contract
 * migration is pending and waits for 1.0.0 to be gone, which the page says, with the linter's finding at file:line.
 * A deployer asks for the plan and the shadow dry run (the contract in order, waiting; up on a throwaway PGlite, the
 * irreversible migration noted); a viewer sees that button disabled with the reason.
 */
let system: System;
let database: FreshPostgres;
let browser: Browser;
let vic: LocalUser;
let dee: LocalUser;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureDashboardBuilt();
  ({ system, database } = await systemWithMigrations());
  vic = await createUser(system, 'vic', [{ role: 'viewer', environments: ['staging'] }]);
  dee = await createUser(system, 'dee', [{ role: 'deployer', environments: ['staging'] }]);
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await system?.close();
  await database?.drop();
}, 120_000);

interface Row {
  id: string;
  state: string;
  release: string | null;
  deploymentId: string | null;
  durationMs: number | null;
  checksum: string;
}

describe('the Migrations view in Chromium', () => {
  it('the API lists applied, pending and waiting migrations per environment, with who applied them', async () => {
    const { service, environments } = await system.client.call<{
      service: string;
      environments: { name: string; database: string; error: string | null; migrations: Row[]; contracts: unknown[] }[];
    }>('GET', `/api/v1/projects/${system.project}/migrations?environment=staging`);
    expect(environments.map((e) => e.name)).toEqual(['staging']);
    const staging = environments[0]!;
    expect(staging.error).toBeNull();
    expect(staging.database).toMatch(/^127\.0\.0\.1:5432\//);
    expect(staging.migrations.map((m) => [m.id, m.state, m.release])).toEqual([
      ['0001_vessels', 'applied', '1.0.0'],
      ['0002_add_flag', 'applied', '1.0.0'],
      ['0003_drop_tonnage', 'pending', null],
    ]);
    const { deployments } = await system.client.call<{ deployments: { id: string; service: string }[] }>(
      'GET',
      `/api/v1/deployments?project=${system.project}&environment=staging`,
    );
    const deployment = deployments.find((d) => d.service === service)!;
    expect(staging.migrations[0]!.deploymentId).toBe(deployment.id);
    expect(staging.migrations[0]!.durationMs).toEqual(expect.any(Number));
    expect(staging.migrations[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(staging.contracts).toEqual([
      {
        migration: '0003_drop_tonnage',
        after: '2.0.0',
        state: 'waiting',
        blockers: [{ environment: 'staging', version: '1.0.0', instances: 1 }],
      },
    ]);
    const unknown = await system.client
      .call('GET', `/api/v1/projects/${system.project}/migrations?environment=nowhere`)
      .catch((e: Error) => e.message);
    expect(String(unknown)).toMatch(/nowhere/);
  }, 60_000);

  it('a viewer reads it: states, the deployment, the waiting contract, the finding; axe-core passes', async () => {
    const context = await newContext(browser, 1280);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401|ERR_NETWORK_CHANGED/.test(m.text())) pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(dashboardUrl(system, '/migrations'));
    await logIn(page, vic);
    await page.getByRole('heading', { level: 1, name: 'Migrations' }).waitFor();
    const staging = page.locator('[data-environment="staging"]');
    await staging.locator('[data-migration="0003_drop_tonnage"]').waitFor();
    // The viewer may see staging only: production is not on the page.
    expect(await page.locator('[data-environment="production"]').count()).toBe(0);
    expect(await staging.locator('[data-migration="0001_vessels"]').getAttribute('data-state')).toBe('applied');
    expect(await staging.locator('[data-migration="0003_drop_tonnage"]').getAttribute('data-state')).toBe('pending');
    const link = staging.locator('[data-migration="0002_add_flag"]').getByRole('link', { name: 'release 1.0.0' });
    expect(await link.getAttribute('href')).toMatch(/^\/deployments\/dep_/);
    expect(await staging.locator('[data-contract="0003_drop_tonnage"]').textContent()).toMatch(
      /waits until 1\.0\.0 is gone from staging \(1 instance\)/,
    );
    const finding = staging.locator('.findings li').first();
    expect(await finding.textContent()).toMatch(/releases\/1\.0\.0\/migrations\/0003_drop_tonnage\.up\.sql:3:1/);
    expect(await finding.textContent()).toMatch(/Safe alternative:/);
    expect(await seriousViolations(page)).toEqual([]);
    // A viewer may not start a dry run: the button says why.
    const plan = staging.getByTestId('plan-staging');
    expect(await plan.getByRole('button', { name: 'Plan and dry-run' }).isDisabled()).toBe(true);
    expect(await plan.getByTestId('plan-denied').textContent()).toMatch(
      /needs the deployer role on staging; vic has viewer on staging/,
    );
    await link.click();
    await page.getByTestId('state').waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('the plan API: pending migrations in order with phase, and the shadow dry run; a viewer gets 403', async () => {
    const res = await system.client.call<{
      release: string;
      appliedThrough: number;
      pending: { id: string; phase: string | null; runs: string; after: string | null }[];
      dryRun: { ok: boolean; steps: { migration: string; direction: string; ok: boolean; details: string[] }[] };
      error: string | null;
    }>('POST', `/api/v1/projects/${system.project}/migrations/plan`, { environment: 'staging' });
    expect(res.error).toBeNull();
    expect(res.release).toBe('1.0.0');
    expect(res.appliedThrough).toBe(2);
    expect(res.pending).toEqual([
      expect.objectContaining({ id: '0003_drop_tonnage', phase: 'contract', after: '2.0.0', runs: 'waits' }),
    ]);
    expect(res.dryRun.steps[0]).toMatchObject({ migration: '0003_drop_tonnage', direction: 'up', ok: true });
    expect(res.dryRun.steps[0]!.details.join('\n')).toMatch(/tonnage/);
    const unknown = await system.client
      .call('POST', `/api/v1/projects/${system.project}/migrations/plan`, { environment: 'nowhere' })
      .catch((e: Error) => e.message);
    expect(String(unknown)).toMatch(/no environment "nowhere"/);
    const viewerToken = await system.client.call<{ secret: string }>('POST', '/api/v1/tokens', {
      name: 'plan-viewer',
      grants: [{ role: 'viewer', environments: '*' }],
    });
    const refused = await request(dashboardUrl(system, `/api/v1/projects/${system.project}/migrations/plan`), {
      method: 'POST',
      headers: { authorization: `Bearer ${viewerToken.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'staging' }),
    });
    expect(refused.statusCode).toBe(403);
    expect(await refused.body.text()).toMatch(/deployer on staging required/);
  }, 90_000);

  it('a deployer runs the plan and dry run from the page and reads each step', async () => {
    const context = await newContext(browser, 1280);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(dashboardUrl(system, '/migrations'));
    await logIn(page, dee);
    const plan = page.getByTestId('plan-staging');
    await plan.getByRole('button', { name: 'Plan and dry-run' }).click();
    await plan.getByTestId('dry-run-verdict').waitFor({ timeout: 60_000 });
    expect(await plan.getByTestId('dry-run-verdict').textContent()).toMatch(/Shadow dry run: every step passed/);
    const planned = plan.locator('[data-planned="0003_drop_tonnage"]');
    expect(await planned.getAttribute('data-runs')).toBe('waits');
    expect(await planned.textContent()).toMatch(/contract \(for releases from 2\.0\.0\): waits until no live release/);
    expect(await plan.locator('[data-step="0003_drop_tonnage:up"]').getAttribute('data-ok')).toBe('true');
    expect(await plan.getByRole('button', { name: 'Dry-run again' }).isEnabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
