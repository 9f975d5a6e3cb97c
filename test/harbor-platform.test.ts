import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunch } from '../src/demo/chromium-launch.js';
import { repoRoot } from './support/entry.js';
import { migrate, platformDir, type Started, startBackend, startPricing } from './support/harbor-platform.js';
import { until } from './support/processes.js';
import { type StaticSite, startStaticSite } from './support/static-site.js';
import { databaseUrl, type FreshPostgres, freshPostgres } from './support/store.js';

/**
 * The harbor-platform example, tier by tier, with real processes: PostgreSQL, the FastAPI backend
 * (Debian's python), the harbor-quote pricing service, the page built by Vite, and Debian Chromium.
 * Slipway does not start them here; the release tests deploy them.
 */
const run = promisify(execFile);
const started: Started[] = [];
let database: FreshPostgres;
let db: pg.Client;
let pricing: Started;
let backend: Started;
let buildDir: string;
let site: StaticSite | undefined;
let browser: Browser | undefined;
/** Kills the build if it is still running when the tests end (a failed beforeAll). */
const stopBuild = new AbortController();

const nordicStar = { vesselName: 'Nordic Star', tonnage: 42_000, vesselClass: 'tanker', routeRisk: 3 };
const post = (base: string, body: unknown) =>
  fetch(`${base}/api/quotes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const count = async (table: 'vessels' | 'policies') =>
  Number((await db.query(`select count(*) from ${table}`)).rows[0].count);
const dist = (version: string) => path.join(buildDir, version, 'dist');

beforeAll(async () => {
  buildDir = mkdtempSync(path.join(tmpdir(), 'harbor-platform-web-'));
  // The build runs in its own process (as `npm run build:platform` does) while the services start.
  const build = run(process.execPath, [path.join(platformDir, 'build.mjs'), '--out', buildDir], {
    cwd: repoRoot,
    signal: stopBuild.signal,
  });
  build.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  database = await freshPostgres({ migrated: false });
  await migrate(database.url, '2.0.0', ['0001_vessels_policies.up.sql', '0002_vessels_flag_state.up.sql']);
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  pricing = await startPricing('1.0.0');
  started.push(pricing);
  backend = await startBackend('2.0.0', database.url, pricing.url);
  started.push(backend);
  await build;
}, 180_000);

afterAll(async () => {
  stopBuild.abort();
  await browser?.close().catch(() => undefined);
  await site?.close();
  await Promise.all(started.map((s) => s.stop()));
  await db?.end().catch(() => undefined);
  await database?.drop();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
}, 60_000);

describe('harbor-platform backend (FastAPI + PostgreSQL + harbor-quote)', () => {
  it('prices a vessel with the pricing service and stores the vessel and its policy', async () => {
    const direct = await fetch(`${pricing.url}/quotes`, { method: 'POST', body: JSON.stringify(nordicStar) });
    const expected = (await direct.json()) as { premium: number };
    const res = await post(backend.url, { ...nordicStar, flagState: 'pa' });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(res.headers.get('x-release')).toBe('2.0.0');
    expect(body).toMatchObject({
      premium: expected.premium,
      release: '2.0.0',
      pricingRelease: '1.0.0',
      flagState: 'PA',
    });
    const { rows } = await db.query(
      'select v.name, v.flag_state, v.tonnage, p.premium, p.backend_release, p.pricing_release from policies p ' +
        'join vessels v on v.id = p.vessel_id where p.id = $1',
      [body.policyId],
    );
    expect(rows).toEqual([
      {
        name: 'Nordic Star',
        flag_state: 'PA',
        tonnage: 42_000,
        premium: String(expected.premium),
        backend_release: '2.0.0',
        pricing_release: '1.0.0',
      },
    ]);
    const listed = (await (await fetch(`${backend.url}/api/policies?limit=5`)).json()) as { policies: unknown[] };
    expect(listed.policies[0]).toMatchObject({ id: body.policyId, vesselName: 'Nordic Star', flagState: 'PA' });
  });

  it('answers 422 naming each bad field, and stores nothing', async () => {
    const before = await count('vessels');
    const res = await post(backend.url, { vesselName: ' ', tonnage: -5, vesselClass: 'yacht', routeRisk: 9 });
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: { loc: string[] }[] };
    expect(detail.map((d) => d.loc.at(-1)).sort()).toEqual(['routeRisk', 'tonnage', 'vesselClass', 'vesselName']);
    const notJson = await fetch(`${backend.url}/api/quotes`, { method: 'POST', body: '{"vesselName":', headers: {} });
    expect(notJson.status).toBe(422);
    expect((await fetch(`${backend.url}/api/policies?limit=0`)).status).toBe(422);
    expect(await count('vessels')).toBe(before);
  });

  it('1.0.0 keeps working on the schema the 2.0.0 expand migration changed', async () => {
    const old = await startBackend('1.0.0', database.url, pricing.url);
    started.push(old);
    const res = await post(old.url, { ...nordicStar, vesselName: 'Old Page', flagState: 'MT' });
    expect(res.status).toBe(201);
    const { vesselId } = (await res.json()) as { vesselId: number };
    const { rows } = await db.query('select flag_state from vessels where id = $1', [vesselId]);
    expect(rows).toEqual([{ flag_state: null }]);
  });

  it('3.0.0 fails every quote with 500 while /health stays 200, and leaves no half-written rows', async () => {
    const broken = await startBackend('3.0.0', database.url, pricing.url);
    started.push(broken);
    const vessels = await count('vessels');
    const res = await post(broken.url, nordicStar);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/cover_type/);
    expect((await fetch(`${broken.url}/health`)).status).toBe(200);
    expect(await count('vessels')).toBe(vessels);
  });

  it('/health answers 503 when its database is unreachable', async () => {
    const lost = await startBackend('2.0.0', databaseUrl('harbor_platform_no_such_database'), pricing.url);
    started.push(lost);
    const res = await fetch(`${lost.url}/health`);
    expect(res.status).toBe(503);
    expect(JSON.stringify(await res.json())).not.toContain('postgres://');
  });
});

describe('harbor-platform quote page (React + Vite)', () => {
  it('each release is a dist/ with index.html, a Vite manifest and hashed assets, its version baked in', () => {
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const manifest = JSON.parse(readFileSync(path.join(dist(version), '.vite/manifest.json'), 'utf8'));
      const entry = manifest['index.html'] as { file: string; css?: string[]; isEntry: boolean };
      expect(entry.isEntry).toBe(true);
      expect(entry.file).toMatch(/^assets\/index-[\w-]{8,}\.js$/);
      const html = readFileSync(path.join(dist(version), 'index.html'), 'utf8');
      expect(html).toContain(`/${entry.file}`);
      for (const file of [entry.file, ...(entry.css ?? [])])
        expect(existsSync(path.join(dist(version), file))).toBe(true);
      const js = readFileSync(path.join(dist(version), entry.file), 'utf8');
      // The minifier writes the baked-in string as `1.0.0` or "1.0.0".
      expect(js).toMatch(new RegExp(`[\`"']${version.replaceAll('.', '\\.')}[\`"']`));
      // The define is a constant, so 1.0.0's bundle does not even contain the flag-state field.
      expect(js.includes('Flag state'), version).toBe(version !== '1.0.0');
    }
    // The answer panel is a lazy chunk of each release's own: a page opened before a switch fetches it after.
    const lazyChunk = (v: string) =>
      JSON.parse(readFileSync(path.join(dist(v), '.vite/manifest.json'), 'utf8'))['src/QuoteResult.tsx'].file as string;
    expect(lazyChunk('1.0.0')).toMatch(/^assets\/QuoteResult-[\w-]{8,}\.js$/);
    expect(existsSync(path.join(dist('1.0.0'), lazyChunk('1.0.0')))).toBe(true);
    expect(readdirSync(path.join(dist('2.0.0'), 'assets'))).not.toContain(lazyChunk('1.0.0').slice('assets/'.length));
  });

  it('its TypeScript typechecks', async () => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', path.join(platformDir, 'frontend')]);
  }, 60_000);

  it('gets a quote in Chromium with no failed request, and reports Web Vitals with its release', async () => {
    site = await startStaticSite(dist('2.0.0'), backend.url);
    browser = await chromium.launch(chromiumLaunch);
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('requestfailed', (r) => failures.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => void (r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`)));
    page.on('pageerror', (e) => void (/^[ab]$/.test(e.message) || failures.push(`page error: ${e.message}`)));
    await page.goto(site.url);
    expect(await page.getByTestId('page-release').textContent()).toBe('2.0.0');
    await page.getByLabel('Vessel name').fill('Baltic Trader');
    await page.getByLabel('Flag state').fill('LR');
    await page.getByRole('button', { name: 'Get a quote' }).click();
    await page.getByTestId('premium').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('premium').textContent()).toBe('$102,668.99');
    expect(await page.getByTestId('backend-release').textContent()).toBe('2.0.0');
    expect(await page.getByTestId('pricing-release').textContent()).toBe('1.0.0');
    const { rows } = await db.query("select flag_state from vessels where name = 'Baltic Trader'");
    expect(rows).toEqual([{ flag_state: 'LR' }]);
    // Web Vitals are final when the page is hidden; hide it as a switch of tabs would.
    await page.evaluate(
      "Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });" +
        "document.dispatchEvent(new Event('visibilitychange'));",
    );
    const named = (name: string) => site!.beacons.find((b) => b.name === name);
    await until('LCP and CLS beacons', () => named('LCP') && named('CLS'), 10_000);
    // Exactly the proxy intake's fields (src/traffic/proxy/rum-intake.ts): nothing else leaves the page.
    expect(Object.keys(named('LCP')!).sort()).toEqual(['id', 'name', 'release', 'value']);
    expect(named('LCP')).toMatchObject({ release: '2.0.0', value: expect.any(Number), id: expect.any(String) });
    expect(named('CLS')).toMatchObject({ release: '2.0.0' });
    expect(site.log.filter((l) => l.includes('rum'))).not.toContainEqual(expect.stringMatching(/400|bad beacon/));
    // An error the page did not handle: one beacon with the page view's id, the same for every error of the view.
    await page.evaluate("setTimeout(() => { throw new Error('a'); }); setTimeout(() => { throw new Error('b'); })");
    await until('two error beacons', () => site!.beacons.filter((b) => b.name === 'error').length === 2, 10_000);
    const errors = site.beacons.filter((b) => b.name === 'error');
    expect(errors[0]).toMatchObject({ release: '2.0.0', id: expect.stringMatching(/^[\w-]{16,}$/) });
    expect(errors[1]!.id).toBe(errors[0]!.id);
    expect(failures).toEqual([]);
    expect(site.log).toContain('POST /api/quotes 201');
    expect(
      site.log.some((l) => /^GET \/assets\/QuoteResult-[\w-]+\.js 200$/.test(l)),
      site.log.join('\n'),
    ).toBe(true);
  }, 60_000);
});
