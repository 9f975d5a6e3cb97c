import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { type Tier, TierTally } from './tier-tally.js';

export { chromiumLaunch } from './chromium-launch.js';

/** Which tier a request of the page belongs to; beacons and the favicon are not counted. */
export function tierOf(url: string): Tier | undefined {
  const { pathname } = new URL(url);
  if (pathname.startsWith('/api/')) return 'api';
  if (pathname.startsWith('/assets/')) return 'asset';
  if (pathname === '/' || pathname === '/index.html') return 'page';
  return undefined;
}

/** Count a page's requests into `tally`: failed = a network failure or a status ≥ 400. */
export function watchPage(page: Page, tally: TierTally, quotes: { backend: string[] }): void {
  page.on('response', (r: Response) => {
    const tier = tierOf(r.url());
    if (!tier) return;
    const release = tier === 'api' ? r.headers()['x-release'] : (r.headers()['x-slipway-static-release'] ?? undefined);
    tally.add(tier, r.status() < 400, release, `${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    if (tier === 'api') quotes.backend.push(release ?? '?');
  });
  page.on('requestfailed', (r) => {
    const tier = tierOf(r.url());
    // A navigation cancels the beacons and requests of the page it leaves: that is not a failure a user sees.
    if (tier && r.failure()?.errorText !== 'net::ERR_ABORTED')
      tally.add(tier, false, undefined, `${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`);
  });
}

/** Fill the form and get a quote; returns the premium shown and the releases the answer names. */
export async function getQuote(
  page: Page,
  vessel: string,
): Promise<{ premium: string; backend: string; page: string }> {
  await page.getByLabel('Vessel name').fill(vessel);
  await page.getByRole('button', { name: 'Get a quote' }).click();
  await page.getByTestId('premium').waitFor({ timeout: 15_000 });
  return {
    premium: (await page.getByTestId('premium').textContent()) ?? '',
    backend: (await page.getByTestId('backend-release').textContent()) ?? '',
    page: (await page.getByTestId('page-release').textContent()) ?? '',
  };
}

/**
 * A user on the quote page, in a real browser: load the page, get a quote, repeat, until stopped.
 * One browser context, so the release cookie the page sets pins its API calls as for a real user.
 */
export class BrowserUser {
  readonly tally = new TierTally();
  readonly quotes = { backend: [] as string[] };
  /** Quotes that did not arrive (an error shown instead, or a timeout). */
  readonly problems: string[] = [];
  rounds = 0;
  private running = true;
  private loop?: Promise<void>;
  private context?: BrowserContext;

  constructor(
    private readonly browser: Browser,
    private readonly url: string,
    /**
     * A pause after each quote, as a person reads it before the next. Without it the loop kept Chromium busy
     * non-stop: half of platform-release.test's CPU was the browser's.
     */
    private readonly thinkMs = 250,
  ) {}

  async start(): Promise<void> {
    this.context = await this.browser.newContext();
    const page = await this.context.newPage();
    watchPage(page, this.tally, this.quotes);
    this.loop = (async () => {
      while (this.running) {
        try {
          await page.goto(this.url);
          await getQuote(page, `Browser ${++this.rounds}`);
        } catch (e) {
          if (this.running) this.problems.push((e as Error).message.split('\n')[0]!);
        }
        if (this.running) await new Promise((r) => setTimeout(r, this.thinkMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.context?.close().catch(() => undefined);
  }
}
