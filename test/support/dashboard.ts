import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { request } from 'undici';
import { chromiumLaunch, chromiumPath } from '../../src/demo/chromium-launch.js';
import { repoRoot } from './entry.js';
import type { System } from './system.js';

/**
 * The dashboard in a real browser against a real coordinator: the built page (web/ → dist/web/,
 * rebuilt when a source is newer), Debian's Chromium driven by playwright-core, and local users
 * made through the API the way an admin makes them.
 */

const webDir = path.join(repoRoot, 'web');
const builtIndex = path.join(repoRoot, 'dist', 'web', 'index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Build web/ into dist/web/ unless the build is newer than every source file. */
export function ensureDashboardBuilt(): void {
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource(webDir)) return;
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-web.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the dashboard failed:\n${r.stdout}\n${r.stderr}`);
}

/** Chromium, headless, as the tests and the screenshot script use it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`${chromiumPath} is missing: apt-get install chromium (the dashboard tests drive Debian's)`);
  return chromium.launch(chromiumLaunch);
}

/** A new browser context (its own cookies) of `width` px, light or dark. */
export function newContext(browser: Browser, width = 1280, colorScheme: 'light' | 'dark' = 'light') {
  return browser.newContext({ viewport: { width, height: width > 500 ? 900 : 844 }, colorScheme });
}

export interface LocalUser {
  name: string;
  password: string;
  /** The user's authenticator, when TOTP is on. */
  totp?: OTPAuth.TOTP;
}

async function call(base: string, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await request(`${base}${url}`, {
    method: method as 'POST',
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.body.json()) as Record<string, unknown>;
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${JSON.stringify(json)}`);
  return { json, cookie: String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '' };
}

/** Create a local user with the admin token; with `totp`, enroll and confirm TOTP as that user would. */
export async function createUser(
  system: System,
  name: string,
  grants: { role: string; environments: string[] | '*' }[],
  options: { totp?: boolean } = {},
): Promise<LocalUser> {
  const base = `http://127.0.0.1:${system.workspace.ports.coordinator}`;
  const password = `correct horse battery ${name} staple`;
  await call(base, 'POST', '/api/v1/users', { authorization: `Bearer ${system.token}` }, { name, password, grants });
  if (!options.totp) return { name, password };
  const login = await call(base, 'POST', '/api/v1/auth/login', {}, { name, password });
  const headers = { cookie: login.cookie, 'x-csrf-token': String(login.json.csrfToken) };
  const { json } = await call(base, 'POST', '/api/v1/auth/totp/enroll', headers);
  const totp = OTPAuth.URI.parse(String(json.otpauthUri)) as OTPAuth.TOTP;
  await call(base, 'POST', '/api/v1/auth/totp/confirm', headers, { code: totp.generate() });
  await call(base, 'POST', '/api/v1/auth/logout', headers);
  return { name, password, totp };
}

/** Log in through the page's form (with the TOTP code when the user has TOTP). */
export async function logIn(page: Page, user: LocalUser): Promise<void> {
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  if (user.totp) await page.getByLabel(/TOTP code/).fill(user.totp.generate());
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The coordinator's base URL for a page. */
export const dashboardUrl = (system: System, path = '/') =>
  `http://127.0.0.1:${system.workspace.ports.coordinator}${path}`;

/** axe-core in the page: the serious and critical violations (rule id and the first elements). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const source = readFileSync(path.join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Through the DevTools protocol, as a tester's console would: the page's CSP forbids inline scripts, rightly.
  await page.evaluate(source);
  // A string, so the test's TypeScript (no DOM types) does not check browser code.
  const result = (await page.evaluate("window.axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

export type { Browser, BrowserContext, Page };
