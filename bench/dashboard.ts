/**
 * npm run bench:dashboard -- --json [--loads N] [--services N] [--rounds N] [--requests N]
 *
 * The dashboard in Debian's Chromium against a real coordinator (issue 12's targets):
 * - firstViewJsGzipKB: the JavaScript the overview loads (entry + static imports), gzip; target ≤ 150 KB (the
 *   build fails above it);
 * - coldLoadMs: a new browser context (empty cache) with a session cookie opens / until the overview's first
 *   service is in the DOM; target ≤ 1000 ms;
 * - eventToScreenMs: a canary's weight changes, from the traffic.shifted event's time in the store until the
 *   open deployment page shows the new split (next animation frame); target p95 ≤ 500 ms;
 * - overviewApi: GET /api/v1/projects/:project/overview with 50 services × 3 environments of history; target
 *   p95 ≤ 20 ms (`others` has the full /status the CLI reads, for comparison).
 */
import { request } from 'undici';
import { firstViewSize } from '../scripts/build-web.mjs';
import { dashboardUrl, ensureDashboardBuilt, launchChromium, newContext } from '../test/support/dashboard.js';
import { until } from '../test/support/processes.js';
import { System } from '../test/support/system.js';
import { overviewApiLatency } from './dashboard-overview-api.js';
import { machine, printResult, progress } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const percentile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
};

ensureDashboardBuilt();
const size = firstViewSize();
const weights = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90];
const strategy = `{ type: canary, steps: [${weights.map((w) => `{ setWeight: ${w} }, { pause: 1s }`).join(', ')}] }`;
progress('starting a coordinator');
const system = await System.start({ store: 'embedded', instances: 1, drainTimeout: '1s', strategy });
const browser = await launchChromium();
let result: Record<string, unknown>;
try {
  await system.deployed('1.0.0');
  await system.client.call('POST', '/api/v1/users', {
    name: 'bench',
    password: 'a long benchmark password',
    grants: [{ role: 'viewer', environments: '*' }],
  });
  const login = await request(dashboardUrl(system, '/api/v1/auth/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'a long benchmark password' }),
  });
  await login.body.dump();
  const cookie = String(login.headers['set-cookie']).split(';')[0]!.split('=')[1]!;
  const contextWithSession = async () => {
    const context = await newContext(browser);
    await context.addCookies([{ name: 'slipway_session', value: cookie, url: dashboardUrl(system) }]);
    return context;
  };

  progress('cold loads of the overview');
  const loads: number[] = [];
  for (let i = 0; i < arg('loads', 5); i++) {
    const context = await contextWithSession();
    const page = await context.newPage();
    await page.goto(dashboardUrl(system, '/'), { waitUntil: 'commit' });
    // A function, not a string: the page's CSP (rightly) refuses eval.
    const handle = await page.waitForFunction(
      () =>
        (globalThis as { document?: { querySelector(s: string): unknown } }).document?.querySelector(
          '[data-service]',
        ) && performance.now(),
    );
    loads.push((await handle.jsonValue()) as number);
    await context.close();
  }

  progress('event-to-screen latency of weight changes');
  const context = await contextWithSession();
  const page = await context.newPage();
  const d = await system.deploy('1.1.0');
  await page.goto(dashboardUrl(system, `/deployments/${d.id}`));
  await page.locator('.traffic-words').waitFor();
  // Each new split as it reaches the screen: the DOM change, then the next frame.
  await page.evaluate(`(() => {
    window.painted = [];
    new MutationObserver(() => {
      const text = document.querySelector('.traffic-words')?.textContent ?? '';
      requestAnimationFrame(() => window.painted.push([text, performance.timeOrigin + performance.now()]));
    }).observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true });
  })()`);
  await system.finish(d.id);
  await until('the page to show the end', async () => (await page.getByTestId('state').textContent()) === 'succeeded');
  const painted = (await page.evaluate('window.painted')) as [string, number][];
  const { events } = await system.client.call<{
    events: { kind: string; at: string; data: { candidate: { weight: number } } }[];
  }>('GET', `/api/v1/deployments/${d.id}/events`);
  const latencies: number[] = [];
  for (const e of events.filter((x) => x.kind === 'traffic.shifted')) {
    const shown = painted.find(([text]) => text.includes(`candidate 1.1.0 ${e.data.candidate.weight} %`));
    if (shown) latencies.push(shown[1] - Date.parse(e.at));
  }
  await context.close();

  progress('overview API with 50 services × 3 environments of history (fake runtime)');
  const overviewApi = await overviewApiLatency({
    services: arg('services', 50),
    rounds: arg('rounds', 3),
    requests: arg('requests', 100),
    routes: ['overview', 'status'],
  });
  result = {
    bench: 'dashboard',
    machine: machine(),
    firstViewJsGzipKB: Math.round((size.total / 1024) * 10) / 10,
    firstViewFiles: size.files,
    coldLoadMs: { runs: loads.map(Math.round), median: percentile(loads, 0.5), max: percentile(loads, 1) },
    eventToScreenMs: {
      weightChanges: latencies.length,
      of: events.filter((x) => x.kind === 'traffic.shifted').length,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: percentile(latencies, 1),
    },
    overviewApi,
    targets: { firstViewJsGzipKB: 150, coldLoadMs: 1000, eventToScreenP95Ms: 500, overviewApiP95Ms: 20 },
  };
} finally {
  await browser.close();
  await system.close();
}
await printResult(result);
