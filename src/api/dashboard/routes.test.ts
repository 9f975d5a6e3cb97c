import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCsp, dashboardRoutes } from './routes.js';

/** The dashboard's files at /: the page for every page path, hashed assets cached for a year, a strict CSP. */
let dir: string;
let app: FastifyInstance;
let missing: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/index-1a2b.js"></script>',
  );
  writeFileSync(path.join(dir, 'assets', 'index-1a2b.js'), `console.log("dashboard");\n${'// filler\n'.repeat(200)}`);
  app = Fastify();
  await app.register(dashboardRoutes(dir));
  missing = Fastify();
  await missing.register(dashboardRoutes(path.join(dir, 'nothing-here')));
});
afterAll(async () => {
  await app?.close();
  await missing?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard routes', () => {
  it('serves index.html at / and at page paths, with the CSP and no caching', async () => {
    for (const url of ['/', '/deployments/dep_1', '/history?service=api']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/^<!doctype html>/);
      expect(res.headers['content-security-policy']).toBe(dashboardCsp);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    expect(dashboardCsp).toMatch(/script-src 'self';/);
    expect(dashboardCsp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('serves hashed assets gzipped, cached for a year', async () => {
    const res = await app.inject({ url: '/assets/index-1a2b.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toMatch(/javascript/);
    const plain = await app.inject({ url: '/assets/index-1a2b.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toMatch(/^console\.log/);
  });

  it('a missing asset is a 404, an unknown API path keeps its JSON 404, a broken escape is no 500', async () => {
    expect((await app.inject({ url: '/assets/gone-9z9z.js' })).statusCode).toBe(404);
    const api = await app.inject({ url: '/api/v1/nothing' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('not_found');
    expect((await app.inject({ url: '/%E0%A4%A' })).statusCode).toBeLessThan(500);
  });

  it('without a build: 503 saying how to build it', async () => {
    const res = await missing.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/npm run build/);
  });
});
