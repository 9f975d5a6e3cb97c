import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../src/cli/follow.js';
import { type ViteLikeBuild, viteLikeBuild, writeBuild } from './support/static-build.js';
import { System } from './support/system.js';

/**
 * A frontend (`static:`) deployed through the real coordinator, proxy and static server processes:
 * blue-green switch, skew protection for pages loaded before it, rollback onto the warm release,
 * a sticky canary, and a build without index.html refused before traffic moves.
 */
const base = '/app/';
const builds = mkdtempSync(path.join(tmpdir(), 'slipway-frontend-builds-'));
const releases: Record<string, ViteLikeBuild> = {};
for (const version of ['1.0.0', '2.0.0']) {
  releases[version] = viteLikeBuild(version, base);
  writeBuild(path.join(builds, version, 'dist'), releases[version].files);
}
writeBuild(path.join(builds, '3.0.0', 'dist'), { 'assets/index-3f9a1c2b.js': 'console.log(3)' }); // no index.html
const v1 = releases['1.0.0']!;
const v2 = releases['2.0.0']!;

let system: System;
beforeAll(async () => {
  system = await System.start({
    instances: 1,
    // The backend (harbor-quote) in staging: a canary that holds at 50 %, so two backend releases are live at once.
    strategy: '{ type: canary, steps: [{ setWeight: 50 }, { pause: {} }] }',
    extraServices: [
      '  web:',
      `    static: { dir: ${JSON.stringify(path.join(builds, '{version}', 'dist'))}, keep: 3 }`,
      '    route: { pathPrefix: /app }',
      '    instances: 1',
      '    health: { interval: 250ms, startTimeout: 30s }',
      '    strategy: { type: blue-green, keepOldFor: 5m }',
      '    environments:',
      '      production:',
      '        strategy: { type: canary, sticky: true, steps: [{ setWeight: 50 }, { pause: {} }] }',
    ].join('\n'),
  });
}, 180_000);
afterAll(async () => {
  await system?.close();
  rmSync(builds, { recursive: true, force: true });
}, 120_000);

interface Fetched {
  status: number;
  body: string;
  release: string | undefined;
  cookie: string | undefined;
}

async function fetchPath(url: string, cookie?: string): Promise<Fetched> {
  const res = await request(url, { headers: cookie ? { cookie } : {} });
  const setCookie = res.headers['set-cookie'];
  return {
    status: res.statusCode,
    body: await res.body.text(),
    release: res.headers['x-slipway-static-release'] as string | undefined,
    cookie: (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0],
  };
}

/** What a browser fetches after the page: the assets index.html names, then the lazy chunk the script imports. */
function assetsOf(page: string, build: ViteLikeBuild): string[] {
  const named = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  const lazy = /import\('([^']+)'\)/.exec(build.files[build.script]!)![1]!;
  return [...named, lazy];
}

const deployWeb = (version: string, environment = 'staging'): Promise<DeploymentView> =>
  system.deployed(version, { service: 'web', environment });

describe('a static frontend, blue-green', () => {
  let oldPage: Fetched;

  it('serves release 1.0.0 with its release cookie', async () => {
    expect((await deployWeb('1.0.0')).state).toBe('succeeded');
    oldPage = await fetchPath(`${system.stagingUrl}/app/`);
    expect(oldPage.status).toBe(200);
    expect(oldPage.body).toBe(v1.files['index.html']);
    expect(oldPage.cookie).toBe('slipway-release=1.0.0');
    for (const asset of assetsOf(oldPage.body, v1).slice(0, 2))
      expect((await fetchPath(`${system.stagingUrl}${asset}`, oldPage.cookie)).status).toBe(200);
    // Through the proxy: the precompressed copy, cached for a year, revalidated by its ETag.
    const script = await request(`${system.stagingUrl}/app/${v1.script}`, { headers: { 'accept-encoding': 'br' } });
    await script.body.dump();
    expect(script.headers['content-encoding']).toBe('br');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const again = await request(`${system.stagingUrl}/app/${v1.script}`, {
      headers: { 'accept-encoding': 'br', 'if-none-match': script.headers.etag as string },
    });
    await again.body.dump();
    expect(again.statusCode).toBe(304);
  }, 120_000);

  it('switches to 2.0.0, while the page loaded before the switch still gets its own chunks', async () => {
    const d = await deployWeb('2.0.0');
    expect(d.state).toBe('succeeded');
    const page = await fetchPath(`${system.stagingUrl}/app/`, oldPage.cookie);
    expect(page.body).toBe(v2.files['index.html']);
    expect(page.cookie).toBe('slipway-release=2.0.0');
    for (const asset of assetsOf(oldPage.body, v1)) {
      const file = asset.slice(base.length);
      for (const cookie of [oldPage.cookie, undefined]) {
        const res = await fetchPath(`${system.stagingUrl}${asset}`, cookie);
        expect({ asset, status: res.status, release: res.release }).toEqual({ asset, status: 200, release: '1.0.0' });
        expect(res.body).toBe(v1.files[file]);
      }
    }
    for (const asset of assetsOf(page.body, v2))
      expect((await fetchPath(`${system.stagingUrl}${asset}`, page.cookie)).release).toBe('2.0.0');
  }, 120_000);

  it('rolls back onto the warm 1.0.0 instance: one route change; 2.0.0 pages keep loading', async () => {
    const before = await instancesOf('1.0.0');
    const { deployment } = await system.client.call<{ deployment: DeploymentView }>(
      'POST',
      `/api/v1/projects/${system.project}/rollbacks`,
      { service: 'web', environment: 'staging' },
    );
    expect((await system.finish(deployment.id)).state).toBe('succeeded');
    expect(await instancesOf('1.0.0')).toEqual(before); // the same process: nothing restarted
    const page = await fetchPath(`${system.stagingUrl}/app/`);
    expect(page.body).toBe(v1.files['index.html']);
    expect(page.cookie).toBe('slipway-release=1.0.0');
    for (const asset of assetsOf(v2.files['index.html']!, v2))
      expect((await fetchPath(`${system.stagingUrl}${asset}`)).status).toBe(200);
  }, 120_000);

  it('refuses a build without index.html before anything moves, naming the directory', async () => {
    const r = await system.cli(['deploy', 'web', '--env', 'staging', '--version', '3.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`web 3.0.0: no index.html in build directory ${path.join(builds, '3.0.0', 'dist')}`);
    const { deployments } = await system.client.call<{ deployments: { to: { version: string } }[] }>(
      'GET',
      '/api/v1/deployments?service=web&environment=staging&limit=50',
    );
    expect(deployments.map((d) => d.to.version)).not.toContain('3.0.0');
    expect((await fetchPath(`${system.stagingUrl}/app/`)).body).toBe(v1.files['index.html']);
  }, 120_000);
});

describe("a page's API calls", () => {
  it('reach the backend release of its own version while both backend releases are live', async () => {
    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    const canary = await system.deploy('2.0.0');
    await waitUntilPaused(canary.id);
    const page = await fetchPath(`${system.stagingUrl}/app/`); // web 1.0.0 is stable in staging
    expect(page.cookie).toBe('slipway-release=1.0.0');
    const backendOf = async (cookie?: string) => {
      const res = await request(`${system.stagingUrl}/version`, { headers: cookie ? { cookie } : {} });
      await res.body.dump();
      return res.headers['x-release'];
    };
    const pinned = await Promise.all(Array.from({ length: 10 }, () => backendOf(page.cookie)));
    expect(new Set(pinned)).toEqual(new Set(['1.0.0']));
    // A 2.0.0 page (its cookie) talks to backend 2.0.0; a client without a page cookie gets the weighted split.
    expect(new Set(await Promise.all(Array.from({ length: 10 }, () => backendOf('slipway-release=2.0.0'))))).toEqual(
      new Set(['2.0.0']),
    );
    expect(new Set(await Promise.all(Array.from({ length: 10 }, () => backendOf())))).toEqual(
      new Set(['1.0.0', '2.0.0']),
    );
  }, 120_000);
});

describe('a static frontend, canary with a sticky cookie', () => {
  it('keeps each client on the release it first got while both are live', async () => {
    expect((await deployWeb('1.0.0', 'production')).state).toBe('succeeded');
    const canary = await system.deploy('2.0.0', { service: 'web', environment: 'production' });
    await waitUntilPaused(canary.id);
    const first = await Promise.all(Array.from({ length: 8 }, () => fetchPath(`${system.productionUrl}/app/`)));
    const seen = new Set(first.map((p) => p.cookie));
    expect(seen).toEqual(new Set(['slipway-release=1.0.0', 'slipway-release=2.0.0']));
    for (const page of first) {
      const version = page.cookie!.split('=')[1]!;
      for (let i = 0; i < 6; i++) {
        const again = await fetchPath(`${system.productionUrl}/app/`, page.cookie);
        expect(again.body).toBe(releases[version]!.files['index.html']);
      }
    }
  }, 180_000);
});

async function instancesOf(version: string): Promise<string[]> {
  const { instances } = await system.client.call<{
    instances: { id: string; service: string; release: string; desired: string; pid: number | null }[];
  }>('GET', `/api/v1/instances?project=${system.project}&environment=staging`);
  return instances
    .filter((i) => i.service === 'web' && i.release === version && i.desired !== 'stopped')
    .map((i) => `${i.id}:${i.pid}`)
    .sort();
}

/** Until the canary holds at its `pause: {}` step, both releases live. */
async function waitUntilPaused(id: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { deployment } = await system.client.call<{ deployment: DeploymentView }>('GET', `/api/v1/deployments/${id}`);
    if (deployment.paused !== null || deployment.steps[deployment.step]?.kind === 'pause') return;
    if (deployment.state !== 'running')
      throw new Error(`deployment ${id} ended ${deployment.state}: ${deployment.reason}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`deployment ${id} never paused`);
}
