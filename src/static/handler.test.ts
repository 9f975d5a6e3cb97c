import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viteLikeBuild, writeBuild } from '../../test/support/static-build.js';
import type { StaticServerOptions } from './options.js';
import { type RunningStaticServer, startStaticServer } from './server.js';

let root: string;
const servers: RunningStaticServer[] = [];
const v1 = viteLikeBuild('1.0.0');
const v2 = viteLikeBuild('2.0.0');

async function serve(
  version: string,
  files: Record<string, string | Buffer>,
  extra: Partial<StaticServerOptions> = {},
) {
  const dir = path.join(root, 'builds', version);
  writeBuild(dir, files);
  const running = await startStaticServer({
    dir,
    release: version,
    port: 0,
    host: '127.0.0.1',
    store: path.join(root, 'store'),
    environment: 'staging',
    keep: 3,
    spa: true,
    base: '/',
    ...extra,
  });
  servers.push(running);
  return `http://127.0.0.1:${running.port}`;
}

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' = 'GET') {
  const res = await request(url, { method, headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

/** A request line sent as is: HTTP clients normalize dot segments before they leave. */
function raw(base: string, target: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

let one: string;
let two: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-static-handler-'));
  one = await serve('1.0.0', { ...v1.files, 'docs/index.html': '<p>docs 1</p>', 'about.html': '<p>about 1</p>' });
  two = await serve('2.0.0', v2.files);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
  rmSync(root, { recursive: true, force: true });
});

describe('static handler: caching', () => {
  it('serves index.html revalidated, pinning the client to its release with the proxy cookie', async () => {
    const res = await get(`${two}/`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(v2.files['index.html']);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['set-cookie']).toBe('slipway-release=2.0.0; Path=/; HttpOnly; SameSite=Lax');
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('caches hashed assets for a year, without a cookie', async () => {
    const res = await get(`${two}/${v2.script}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['x-slipway-static-release']).toBe('2.0.0');
    expect((await get(`${two}/robots.txt`)).headers['cache-control']).toBe('no-cache');
  });

  it('answers If-None-Match with 304 and no body, per encoding', async () => {
    const first = await get(`${two}/${v2.script}`, { 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/-br"$/);
    const again = await get(`${two}/${v2.script}`, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // The gzip copy is another representation: the brotli ETag does not validate it.
    expect((await get(`${two}/${v2.script}`, { 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(200);
    // Another release's page is another ETag.
    const page = await get(`${two}/`);
    expect((await get(`${two}/`, { 'if-none-match': page.headers.etag as string })).status).toBe(304);
    expect((await get(`${one}/`, { 'if-none-match': page.headers.etag as string })).status).toBe(200);
  });
});

describe('static handler: encodings and ranges', () => {
  it('sends brotli, then gzip, then identity, always with Vary: Accept-Encoding', async () => {
    const source = v2.files[v2.script]!;
    const br = await get(`${two}/${v2.script}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(source);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    const gz = await get(`${two}/${v2.script}`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(source);
    const plain = await get(`${two}/${v2.script}`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(source);
    for (const res of [br, gz, plain]) expect(res.headers.vary).toBe('Accept-Encoding');
  });

  it('serves byte ranges of the file as built, 416 past its end', async () => {
    const source = Buffer.from(v2.files[v2.script]!);
    const res = await get(`${two}/${v2.script}`, { range: 'bytes=10-19', 'accept-encoding': 'br' });
    expect(res.status).toBe(206);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-range']).toBe(`bytes 10-19/${source.length}`);
    expect(res.body).toEqual(source.subarray(10, 20));
    const tail = await get(`${two}/${v2.script}`, { range: 'bytes=-5' });
    expect(tail.body).toEqual(source.subarray(source.length - 5));
    const past = await get(`${two}/${v2.script}`, { range: `bytes=${source.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${source.length}`);
    const stale = await get(`${two}/${v2.script}`, { range: 'bytes=0-1', 'if-range': '"old"' });
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(source);
  });

  it('streams files too large to keep in memory, ranges included', async () => {
    const big = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7919) % 256));
    const url = await serve('5.0.0', { 'index.html': '<p>5</p>', 'video/intro.mp4': big });
    const whole = await get(`${url}/video/intro.mp4`);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.body.equals(big)).toBe(true);
    const part = await get(`${url}/video/intro.mp4`, { range: 'bytes=600000-600099' });
    expect(part.status).toBe(206);
    expect(part.body.equals(big.subarray(600_000, 600_100))).toBe(true);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const res = await get(`${two}/${v2.script}`, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
  });
});

describe('static handler: what it refuses', () => {
  it('allows GET and HEAD only', async () => {
    const res = await get(`${two}/`, {}, 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it.each([
    '/../../../../etc/passwd',
    '/assets/../../store/index.json',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/index.html%00.js',
    '/..\\..\\etc\\passwd',
  ])('refuses the traversal %s with 400', async (target) => {
    const response = await raw(two, target);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).not.toContain('root:');
  });

  it('does not serve the store itself, dot files or files of no release', async () => {
    expect((await get(`${two}/manifest.json`)).status).toBe(404);
    expect((await get(`${two}/index.json`)).status).toBe(404);
    expect((await get(`${two}/.vite/manifest.json`)).status).toBe(404);
    expect((await get(`${two}/assets/nothing-12345678.js`)).status).toBe(404);
  });
});

describe('static handler: SPA fallback and skew protection', () => {
  it('gives client-side routes index.html, not missing files', async () => {
    const route = await get(`${two}/quotes/42`);
    expect(route.status).toBe(200);
    expect(route.body.toString()).toBe(v2.files['index.html']);
    expect(route.headers['cache-control']).toBe('no-cache');
    expect((await get(`${two}/missing.css`)).status).toBe(404);
  });

  it("serves an earlier release's assets to pages loaded before the switch", async () => {
    const old = await get(`${two}/${v1.chunk}`, { 'accept-encoding': 'br' });
    expect(old.status).toBe(200);
    expect(old.headers['x-slipway-static-release']).toBe('1.0.0');
    expect(old.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(old.body).toString()).toBe(v1.files[v1.chunk]);
    // And the other way round: after a rollback to 1.0.0, pages 2.0.0 served still load.
    expect((await get(`${one}/${v2.script}`)).status).toBe(200);
  });

  it('never serves an earlier page', async () => {
    expect((await get(`${one}/docs/`)).body.toString()).toBe('<p>docs 1</p>');
    const docs = await get(`${two}/docs/`);
    expect(docs.body.toString()).toBe(v2.files['index.html']); // the SPA fallback of 2.0.0, not 1.0.0's page
    expect((await get(`${two}/docs/index.html`)).status).toBe(404);
    expect((await get(`${one}/about.html`)).headers['set-cookie']).toBe(
      'slipway-release=1.0.0; Path=/; HttpOnly; SameSite=Lax',
    );
    expect((await get(`${two}/about.html`)).status).toBe(404); // a page 2.0.0 dropped is gone, not 1.0.0's
  });

  it('keeps no earlier releases with keep 0, and answers 404 without SPA', async () => {
    const three = await serve('3.0.0', viteLikeBuild('3.0.0').files, { keep: 0, spa: false });
    expect((await get(`${three}/${v2.script}`)).status).toBe(404);
    expect((await get(`${three}/quotes/42`)).status).toBe(404);
  });

  it('serves under a route prefix and answers its health path', async () => {
    const four = await serve('4.0.0', viteLikeBuild('4.0.0').files, { base: '/app' });
    expect((await get(`${four}/app/`)).status).toBe(200);
    expect((await get(`${four}/app/robots.txt`)).body.toString()).toBe('User-agent: *\n');
    expect((await get(`${four}/robots.txt`)).status).toBe(404);
    const health = await get(`${four}/.slipway/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString())).toMatchObject({ ok: true, release: '4.0.0' });
  });
});
