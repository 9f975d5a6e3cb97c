import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
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
import { envelopeOf, sentryEvent } from './support/sentry-envelopes.js';
import { System } from './support/system.js';

/**
 * The observability and response views in Debian's Chromium against a real coordinator: a TLS endpoint whose
 * certificate expires tomorrow fires a real alert, an SDK-shaped envelope makes an error issue, incidents are
 * opened through the API and handled on the page. User text that looks like HTML stays text; axe-core on each view.
 */
let system: System;
let browser: Browser;
let tls: Server;
let certDir: string;
let dana: LocalUser;
let vic: LocalUser;
const pageErrors: string[] = [];
const eventRequests: string[] = [];
const html = '<img src=x onerror="document.title=\'pwned\'">';

beforeAll(async () => {
  ensureDashboardBuilt();
  // A certificate valid for one day: below the tls-certificate-expiry rule's 30 days, which fires at once (for: 0).
  certDir = mkdtempSync(path.join(tmpdir(), 'slipway-dash-tls-'));
  const [key, cert] = [path.join(certDir, 'key.pem'), path.join(certDir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', key, '-out', cert], { stdio: 'ignore' }); // biome-ignore format: argument list
  tls = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.end());
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  const tlsPort = (tls.address() as AddressInfo).port;
  system = await System.start({
    instances: 1,
    environmentExtras: { staging: `alerts: { evaluateEvery: 1s, tls: ["127.0.0.1:${tlsPort}"] }` },
  });
  dana = await createUser(system, 'dana', [{ role: 'deployer', environments: ['staging'] }]);
  vic = await createUser(system, 'vic', [{ role: 'viewer', environments: '*' }]);
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await system?.close();
  await new Promise((r) => (tls ? tls.close(r) : r(undefined)));
  if (certDir) rmSync(certDir, { recursive: true, force: true });
}, 120_000);

async function open(user: LocalUser, pagePath: string) {
  const context = await newContext(browser, 1280);
  const page = await context.newPage();
  page.on('console', (m) => {
    // ERR_NETWORK_CHANGED: the container tests' dockerd changes this machine's interfaces; not the page's doing.
    if (m.type() === 'error' && !/status of 40[13]|ERR_NETWORK_CHANGED/.test(m.text())) pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/events')) eventRequests.push(r.url());
  });
  await page.goto(dashboardUrl(system, pagePath));
  await logIn(page, user);
  await page.locator('.who').waitFor();
  return { context, page };
}

const api = <T>(method: 'GET' | 'POST', url: string, body?: unknown) => system.client.call<T>(method, url, body);

async function openIncident(title: string, service?: string) {
  const { incident } = await api<{ incident: { id: string } }>('POST', '/api/v1/projects/harbor-quote/incidents', {
    environment: 'staging',
    title,
    severity: 'sev2',
    ...(service ? { service } : {}),
  });
  return incident.id;
}

describe('errors, alerts, incidents and KPIs in Chromium', () => {
  it('the events stream can start at the newest event: no backlog, then only what comes after', async () => {
    const base = dashboardUrl(system, '/api/v1/events');
    // The newest event before the stream opens: the coordinator may record another meanwhile (it did, in a full run).
    const { events } = await api<{ events: { id: number }[] }>('GET', '/api/v1/events?limit=5000');
    const newest = Math.max(...events.map((e) => e.id));
    const controller = new AbortController();
    const res = await fetch(`${base}?since=now`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${system.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += value;
      }
    };
    await readUntil(/event: stream\.start\ndata: .*\n\n/);
    const start = /id: (\d+)\nevent: stream\.start/.exec(text)!;
    expect(Number(start[1])).toBeGreaterThanOrEqual(newest);
    // Nothing of the history was replayed: the first frame with an id is the start.
    expect(text.match(/^id: /gm)).toHaveLength(1);
    const id = await openIncident('stream check');
    await readUntil(/event: incident\.opened\n/);
    expect(text).toContain(id);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const refused = await request(`${base}?since=later`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${system.token}` },
    });
    expect(refused.statusCode).toBe(400);
    expect(await refused.body.text()).toMatch(/since/);
    await api('POST', `/api/v1/incidents/${id}/resolve`, { resolution: 'test stream' });
  }, 60_000);

  it('the overview shows firing alerts and open incidents per environment × service, live', async () => {
    const { context, page } = await open(dana, '/');
    const card = page.locator('[data-service="quote-api"]').first();
    await card.waitFor();
    // The TLS alert belongs to the environment (no service): said once above its services.
    await page
      .getByRole('link', { name: /^1 alert firing$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await card.getByText('no alert firing, no open incident').waitFor();
    const id = await openIncident(`Quotes slow ${html}`, 'quote-api');
    // Live: the incident reaches the card through the event stream, no reload.
    const link = card.getByRole('link', { name: '1 incident open' });
    await link.waitFor({ timeout: 30_000 });
    expect(eventRequests.some((u) => u.includes('since=now'))).toBe(true);
    expect(eventRequests.some((u) => /after=0\b/.test(u))).toBe(false);
    await link.click();
    await page.getByTestId('incident-title').waitFor();
    expect(await page.getByTestId('incident-title').textContent()).toBe(`Quotes slow ${html}`);
    expect(await page.title()).not.toBe('pwned');
    await api('POST', `/api/v1/incidents/${id}/resolve`, {});
    await context.close();
  }, 120_000);

  it('errors: the issue list with its flags, and the latest stack trace', async () => {
    const { dsn } = await api<{ dsn: string }>('GET', '/api/v1/projects/harbor-quote/dsn?environment=staging');
    const url = new URL(dsn);
    const event = sentryEvent({
      type: 'QuoteError',
      value: `price missing ${html}`,
      release: '1.0.0',
      frames: ['serveQuote', 'priceOf'],
      handled: false,
    });
    const res = await request(
      dashboardUrl(system, `/api${url.pathname}/envelope/?sentry_key=${url.username}&sentry_version=7`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-sentry-envelope' },
        body: envelopeOf([['event', { ...event, environment: 'staging' }]]),
      },
    );
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const { context, page } = await open(vic, '/errors');
    const row = page.locator('[data-issue]').filter({ hasText: 'QuoteError' });
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain(`price missing ${html}`);
    await row.getByText('new in 1.0.0').waitFor();
    await row.getByText('unhandled').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await row.getByRole('link').click();
    const frames = page.getByTestId('frames');
    await frames.waitFor();
    // Innermost first, with file:line.
    expect((await frames.locator('li').allTextContents()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
      'priceOf at /srv/app/src/priceOf.js:11',
      'serveQuote at /srv/app/src/serveQuote.js:10',
    ]);
    await page.getByRole('heading', { name: `QuoteError: price missing ${html} unhandled` }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 120_000);

  it('alerts: the firing alert with its figures, and a silence appearing live', async () => {
    const { context, page } = await open(vic, '/alerts');
    const row = page.locator('[data-alert="tls-certificate-expiry"][data-state="firing"]');
    await row.waitFor({ timeout: 60_000 });
    const cells = await row.locator('td').allTextContents();
    // Value: under a day left; threshold: 30 days — with their unit, and the rule's line in words.
    expect(cells[3]).toMatch(/^0(\.\d+)? days$/);
    expect(cells[4]).toBe('30 days');
    expect(cells[1]).toContain('TLS certificate expires in less than 30 days');
    expect(cells[2]).toContain('staging / every service');
    await api('POST', '/api/v1/projects/harbor-quote/environments/staging/silences', {
      matchers: ['alertname=tls-certificate-expiry'],
      for: '1h',
      comment: `renewing ${html}`,
    });
    await page.getByText(`renewing ${html}`).waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 120_000);

  it('incidents: a viewer sees actions disabled with the reason; a deployer acks, notes, resolves', async () => {
    const id = await openIncident('Checkout errors', 'quote-api');
    const viewer = await open(vic, `/incidents/${id}`);
    await viewer.page.getByTestId('incident-title').waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Acknowledge' }).isDisabled()).toBe(true);
    expect(await viewer.page.getByTestId('actions-denied').textContent()).toMatch(
      /needs the deployer role on staging; vic has viewer on \*/,
    );
    await viewer.context.close();

    const { context, page } = await open(dana, '/incidents');
    await page.locator(`[data-incident="${id}"]`).getByRole('link').click();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    expect(await page.getByTestId('consequence').textContent()).toContain('you (dana) become its owner');
    await page.getByRole('button', { name: 'Yes, acknowledge' }).click();
    await page.getByTestId('incident-state').filter({ hasText: 'acknowledged' }).waitFor();
    await page.getByRole('button', { name: 'Add a note' }).click();
    await page.getByLabel('Note', { exact: true }).fill(`rolled back ${html}\nthen flushed the cache`);
    await page.getByRole('button', { name: 'Yes, add a note' }).click();
    const noted = page.locator('[data-kind="incident.noted"]').filter({ hasText: `rolled back ${html}` });
    await noted.waitFor();
    // A note of several lines keeps them on the page: innerText is the text as rendered, line breaks and all.
    // biome-ignore lint/performance/useDomNodeTextContent: textContent would hold the newline whatever the CSS
    expect(await noted.locator('.entry-text').innerText()).toContain(`${html}\nthen flushed the cache`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByLabel('Resolution (optional)').fill('cache flushed');
    await page.getByRole('button', { name: 'Yes, resolve' }).click();
    await page.getByTestId('incident-state').filter({ hasText: 'resolved' }).waitFor();
    const stored = await api<{ incident: { state: string; acknowledgedBy: string; resolution: string } }>(
      'GET',
      `/api/v1/incidents/${id}`,
    );
    expect(stored.incident).toMatchObject({ state: 'resolved', acknowledgedBy: 'dana', resolution: 'cache flushed' });
    await page.goto(dashboardUrl(system, '/incidents?state=resolved'));
    await page.locator(`[data-incident="${id}"]`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 120_000);

  it('KPIs: the delivery figures per environment against their targets', async () => {
    const { context, page } = await open(vic, '/kpis');
    const staging = page.locator('[data-environment="staging"]');
    await staging.waitFor();
    const success = staging.locator('[data-kpi="Success rate"]');
    expect(await success.locator('.kpi-value').textContent()).toBe('100 %');
    await success.getByText(/target ≥ [\d.]+ %: meets the target/).waitFor();
    expect(
      await staging.getByRole('img', { name: /^deployments: 1 finished: 1 ok, 0 rolled back, 0 failed$/ }).count(),
    ).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
