import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumLaunch } from '../src/demo/chromium-launch.js';
import { processTree } from '../src/runtimes/local/proc-usage.js';

/**
 * The command lines of the Chromium browser processes this process started with `marker` among their arguments (not
 * their helpers, which have --type). Other test files in this process's threads may launch a Chromium meanwhile.
 */
function chromiumStartedHere(marker: string): string[][] {
  const found: string[][] = [];
  for (const pid of processTree(process.pid).slice(1)) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (/\/chromium$/.test(args[0]!) && args.includes(marker) && !args.some((a) => a.startsWith('--type=')))
        found.push(args);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('Chromium as every part of Slipway launches it', () => {
  it('keeps the disabled features of playwright-core and opens no hidden omnibox popup windows', async () => {
    // Chromium ignores a switch it does not know: this one only tells this test's browser from another file's.
    const marker = `--slipway-test-launch=${randomUUID()}`;
    const browser = await chromium.launch({ ...chromiumLaunch, args: [...(chromiumLaunch.args ?? []), marker] });
    try {
      const cdp = await browser.newBrowserCDPSession();
      const started = chromiumStartedHere(marker);
      expect(started).toHaveLength(1);
      const args = started[0]!;
      // One switch: with two, Chromium reads one of them and drops the other's features (playwright-core's own list
      // changed and `ignoreDefaultArgs` in src/demo/chromium-launch.ts no longer matches it: copy the new list).
      const switches = args.filter((a) => a.startsWith('--disable-features='));
      expect(switches).toHaveLength(1);
      expect(switches[0]!.split('=')[1]!.split(',')).toEqual(
        expect.arrayContaining(['MediaRouter', 'PaintHolding', 'HttpsUpgrades', 'WebUIOmniboxPopup']),
      );
      for (let i = 0; i < 2; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto('data:text/html,<h1>ship</h1>');
        await page.getByRole('heading', { name: 'ship' }).waitFor();
      }
      const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{}] });
      expect(targetInfos.filter((t) => t.type === 'page')).toHaveLength(2);
      // Chromium's own pages (the omnibox popups were chrome://omnibox-popup.top-chrome/…, two per window).
      expect(targetInfos.map((t) => t.url).filter((url) => url.startsWith('chrome://'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
