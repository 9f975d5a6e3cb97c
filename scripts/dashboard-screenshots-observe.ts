// Part of npm run screenshots: the errors, alerts, incidents and KPIs views (and the overview with its alert and
// incident lines) at 1280 px and 390 px, from a real coordinator: a TLS endpoint whose certificate expires tomorrow
// fires a real alert, an SDK-shaped envelope makes an error issue, an incident is opened and worked on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:tls';
import { request } from 'undici';
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
import { envelopeOf, sentryEvent } from '../test/support/sentry-envelopes.js';
import { System } from '../test/support/system.js';

const out = path.join(repoRoot, 'docs', 'screenshots');
ensureDashboardBuilt();
const certDir = mkdtempSync(path.join(tmpdir(), 'slipway-shots-tls-'));
const [key, cert] = [path.join(certDir, 'key.pem'), path.join(certDir, 'cert.pem')];
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
  '-keyout', key, '-out', cert], { stdio: 'ignore' }); // biome-ignore format: argument list
const tls = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.end());
await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
const system = await System.start({
  store: 'embedded',
  instances: 1,
  environmentExtras: {
    staging: `alerts: { evaluateEvery: 1s, tls: ["127.0.0.1:${(tls.address() as AddressInfo).port}"] }`,
  },
});
const browser = await launchChromium();
try {
  const call = <T>(method: 'GET' | 'POST', url: string, body?: unknown) => system.client.call<T>(method, url, body);
  const dana = await createUser(system, 'dana', [{ role: 'deployer', environments: '*' }]);
  await system.deployed('1.0.0');
  await system.deployed('1.1.0');
  await system.deployed('1.0.0', { environment: 'production' });
  const { dsn } = await call<{ dsn: string }>('GET', '/api/v1/projects/harbor-quote/dsn?environment=staging');
  const url = new URL(dsn);
  for (const [type, value, release, frames] of [
    ['QuoteError', 'price missing for <sku>', '1.1.0', ['handleQuote', 'serveQuote', 'priceOf']],
    ['TypeError', "cannot read properties of undefined (reading 'rate')", '1.0.0', ['handleQuote', 'rateOf']],
  ] as const) {
    const res = await request(
      dashboardUrl(system, `/api${url.pathname}/envelope/?sentry_key=${url.username}&sentry_version=7`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-sentry-envelope' },
        body: envelopeOf([
          [
            'event',
            { ...sentryEvent({ type, value, release, frames: [...frames], handled: false }), environment: 'staging' },
          ],
        ]),
      },
    );
    await res.body.dump();
  }
  const { incident } = await call<{ incident: { id: string } }>('POST', '/api/v1/projects/harbor-quote/incidents', {
    environment: 'staging',
    service: 'quote-api',
    title: 'Quotes answer 500 for some SKUs',
    severity: 'sev2',
  });
  await call('POST', `/api/v1/incidents/${incident.id}/acknowledge`, {});
  await call('POST', `/api/v1/incidents/${incident.id}/notes`, { text: 'QuoteError since 1.1.0; rolling back' });
  await call('POST', '/api/v1/projects/harbor-quote/environments/staging/silences', {
    matchers: ['alertname=disk-usage'],
    for: '2h',
    comment: 'volume resize in progress',
  });
  await until(
    'the TLS alert to fire',
    async () => {
      const { alerts } = await call<{ alerts: { state: string }[] }>('GET', '/api/v1/projects/harbor-quote/alerts');
      return alerts.some((a) => a.state === 'firing');
    },
    60_000,
  );
  const { issues } = await call<{ issues: { id: string; title: string }[] }>(
    'GET',
    '/api/v1/projects/harbor-quote/errors',
  );
  const quoteError = issues.find((i) => i.title.startsWith('QuoteError'));
  const views: [string, string][] = [
    ['overview-signals', '/'],
    ['errors', '/errors'],
    ['error-detail', `/errors/${quoteError?.id ?? ''}`],
    ['alerts', '/alerts'],
    ['incidents', '/incidents'],
    ['incident-detail', `/incidents/${incident.id}`],
    ['kpis', '/kpis'],
  ];
  for (const [width, scheme] of [
    [1280, 'light'],
    [390, 'light'],
    [1280, 'dark'],
  ] as const) {
    const context = await newContext(browser, width, scheme);
    const page = await context.newPage();
    await page.goto(dashboardUrl(system, '/login'));
    await logIn(page, dana);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const suffix = `${width}${scheme === 'dark' ? '-dark' : ''}`;
    for (const [name, path_] of views) {
      if (scheme === 'dark' && name !== 'incident-detail' && name !== 'kpis') continue;
      await page.goto(dashboardUrl(system, path_));
      await page.locator('main h1').waitFor();
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(out, `${name}-${suffix}.png`), fullPage: true });
      console.log(`screenshots: ${name}-${suffix}.png`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await system.close();
  await new Promise((r) => tls.close(r));
  rmSync(certDir, { recursive: true, force: true });
}
