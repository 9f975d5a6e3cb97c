import type { LaunchOptions } from 'playwright-core';

/** Debian's Chromium, the one browser this project drives (the demo, the tests, the benchmarks, the screenshots). */
export const chromiumPath = '/usr/bin/chromium';

/**
 * The features playwright-core 1.65 turns off (its `chromiumSwitches`, one `--disable-features` switch). Chromium
 * reads one such switch only, so adding features to it means replacing playwright's with a longer one.
 */
const playwrightDisabledFeatures = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Headless Chromium 156 gives every window an address bar whose suggestion popup is a WebUI page in a renderer of
 * its own (chrome://omnibox-popup.top-chrome/, twice), though nobody can ever see it. Measured with a trivial page,
 * each new browser context cost ~2.4 s of CPU with them and ~0.65 s without; the test suite opens dozens.
 */
const omniboxPopups = ['WebUIOmniboxPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxAimPopup'];

/** Launch options: headless, no sandbox (containers, root), no GPU, no background traffic, no hidden popups. */
export const chromiumLaunch: LaunchOptions = {
  executablePath: chromiumPath,
  ignoreDefaultArgs: [`--disable-features=${playwrightDisabledFeatures.join(',')}`],
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    `--disable-features=${[...playwrightDisabledFeatures, ...omniboxPopups].join(',')}`,
  ],
};
