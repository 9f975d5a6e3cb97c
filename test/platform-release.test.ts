import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserUser, chromiumLaunch, getQuote, watchPage } from '../src/demo/browser-user.js';
import { buildPages, missingForPlatform, releaseAndWait } from '../src/demo/platform-run.js';
import { createPlatformWorkspace, type PlatformWorkspace } from '../src/demo/platform-workspace.js';
import { TierTally } from '../src/demo/tier-tally.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * harbor-platform released as one thing, with real processes: the coordinator, the proxy, Slipway's
 * static server for the Vite page, the FastAPI backend on Debian's python, the Node pricing service,
 * PostgreSQL, and a user in Debian Chromium who keeps loading the page and getting quotes throughout.
 * Order api → web → pricing; pricing 3.0.0 crashes on start, after the page and the api have moved.
 */
const workspaces: PlatformWorkspace[] = [];
const buildRoot = mkdtempSync(path.join(tmpdir(), 'slipway-platform-web-'));
const stopBuild = new AbortController();
let system: System;
let browser: Browser;
let user: BrowserUser;
let oldPage: Page;
const oldTally = new TierTally();

beforeAll(async () => {
  const missing = await missingForPlatform();
  if (missing.length > 0) throw new Error(`harbor-platform needs: ${missing.join('; ')}`);
  const built = buildPages(buildRoot, stopBuild.signal);
  built.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  system = await System.start({
    create: async () => {
      const w = await createPlatformWorkspace({ buildRoot });
      workspaces.push(w);
      return w;
    },
    env: () => ({ HARBOR_DATABASE_URL: workspaces.at(-1)!.databaseUrl }),
  });
  system.project = 'harbor-platform';
  browser = await chromium.launch(chromiumLaunch);
  await built;
}, 180_000);

afterAll(async () => {
  stopBuild.abort();
  await user?.stop().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await system?.close();
  await Promise.all(workspaces.map((w) => w.dropDatabase()));
  rmSync(buildRoot, { recursive: true, force: true });
}, 120_000);

const release = async (version: string) => {
  const { rollout } = await releaseAndWait(system.client, 'harbor-platform', version);
  return rollout;
};
const phases = (r: Awaited<ReturnType<typeof release>>) => r.components.map((c) => `${c.service} ${c.phase}`);

describe('harbor-platform: one release across tiers, with a browser on the page', () => {
  it('1.0.0 then 2.0.0 (expand migration, new page): no failed request; an old page loads its own chunks', async () => {
    const first = await release('1.0.0');
    expect(first.state, first.reason ?? '').toBe('succeeded');
    user = new BrowserUser(browser, system.stagingUrl);
    await user.start();
    // A page opened on 1.0.0 and left alone: its answer panel is a lazy chunk it fetches only later.
    oldPage = await (await browser.newContext()).newPage();
    watchPage(oldPage, oldTally, { backend: [] });
    await oldPage.goto(system.stagingUrl);
    expect(await oldPage.getByTestId('page-release').textContent()).toBe('1.0.0');
    await until('the user to get two quotes', () => user.quotes.backend.length >= 2, 30_000);

    const second = await release('2.0.0');
    expect(second.state, second.reason ?? '').toBe('succeeded');
    expect(phases(second)).toEqual(['api succeeded', 'web succeeded', 'pricing succeeded']);
    // Its answer panel's chunk exists only in 1.0.0's build; the proxy now serves 2.0.0's.
    const chunk = oldPage.waitForResponse((r) => /\/assets\/QuoteResult-[\w-]+\.js$/.test(r.url()));
    const quote = await getQuote(oldPage, 'Old Page');
    expect(quote).toMatchObject({ page: '1.0.0', backend: '2.0.0', premium: expect.stringMatching(/^\$[\d,.]+$/) });
    const lazy = await chunk;
    expect([lazy.status(), lazy.headers()['x-slipway-static-release']]).toEqual([200, '1.0.0']);
    expect(oldTally.failures).toEqual([]);
    await until('the user to be on the 2.0.0 page', () => (user.tally.tiers.page.byRelease['2.0.0'] ?? 0) >= 2, 30_000);
    expect(user.tally.failures).toEqual([]);
    expect(user.problems).toEqual([]);
  }, 120_000);

  it('3.0.0: pricing fails on start, so the page and the api that had moved go back; no failed request', async () => {
    const third = await release('3.0.0');
    await user.stop();
    expect(third.state).toBe('rolled_back');
    expect(third.reason).toMatch(/pricing/);
    expect(phases(third)).toEqual(['api reverted', 'web reverted', 'pricing failed']);
    // The user saw the 3.0.0 page and api before they went back, and not one failure on any tier.
    expect(user.tally.tiers.page.byRelease['3.0.0'], user.tally.lines().join('\n')).toBeGreaterThan(0);
    expect(user.tally.failures).toEqual([]);
    expect(user.problems).toEqual([]);
    expect(user.tally.tiers.api.requests).toBeGreaterThan(5);

    const json = JSON.parse((await system.cli(['status', '--json'])).stdout);
    const staging = json.environments.find((e: { name: string }) => e.name === 'staging');
    expect(staging.services.map((s: { service: string; stable: string }) => [s.service, s.stable]).sort()).toEqual([
      ['api', '2.0.0'],
      ['pricing', '2.0.0'],
      ['web', '2.0.0'],
    ]);
    const page = await request(`${system.stagingUrl}/`);
    await page.body.dump();
    expect(page.headers['x-slipway-static-release']).toBe('2.0.0');
    const api = await request(`${system.stagingUrl}/api/policies?limit=1`);
    await api.body.dump();
    expect(api.headers['x-release']).toBe('2.0.0');
    // The schema is 2.0.0's: the expand column is there (expand migrations stay), nothing of 3.0.0 is.
    const db = new pg.Client({ connectionString: workspaces.at(-1)!.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        "select table_name || '.' || column_name as c from information_schema.columns " +
          "where table_schema = 'public' and column_name in ('flag_state', 'cover_type')",
      );
      expect(rows.map((r) => r.c)).toEqual(['vessels.flag_state']);
    } finally {
      await db.end();
    }
  }, 120_000);
});
