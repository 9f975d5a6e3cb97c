import { describe, expect, it } from 'vitest';
import { hasExtension, requestPath } from './request-path.js';

describe('requestPath', () => {
  it('maps paths to build-relative files, directories to their index.html', () => {
    expect(requestPath('/assets/index-3f9a1c2b.js?v=1', '/')).toEqual({
      ok: true,
      file: 'assets/index-3f9a1c2b.js',
      directory: false,
    });
    expect(requestPath('/', '/')).toEqual({ ok: true, file: 'index.html', directory: true });
    expect(requestPath('/docs/', '/')).toEqual({ ok: true, file: 'docs/index.html', directory: true });
    expect(requestPath('/caf%C3%A9.txt', '/')).toMatchObject({ ok: true, file: 'café.txt' });
  });

  it('strips the route prefix, and refuses paths outside it', () => {
    expect(requestPath('/app/assets/a.js', '/app')).toMatchObject({ ok: true, file: 'assets/a.js' });
    expect(requestPath('/app', '/app/')).toMatchObject({ ok: true, file: 'index.html' });
    expect(requestPath('/application.js', '/app')).toMatchObject({ ok: false, status: 404 });
  });

  it.each([
    ['/../etc/passwd', 400],
    ['/assets/../../etc/passwd', 400],
    ['/%2e%2e/etc/passwd', 400],
    ['/%2E%2E%2Fetc%2Fpasswd', 400],
    ['/assets/%2e%2e%2f%2e%2e%2fetc/passwd', 400],
    ['/./index.html', 400],
    ['/index.html%00.js', 400],
    ['/..%5c..%5cwindows', 400],
    ['/%E0%A4%A', 400],
    ['relative', 400],
    ['/.env', 404],
    ['/.git/config', 404],
    ['/.vite/manifest.json', 404],
  ])('refuses %s with %i', (url, status) => {
    expect(requestPath(url, '/')).toMatchObject({ ok: false, status });
  });

  it('leaves double-encoded dots as a literal name (no second decoding)', () => {
    expect(requestPath('/%252e%252e/secret', '/')).toEqual({ ok: true, file: '%2e%2e/secret', directory: false });
  });

  it('serves .well-known', () => {
    expect(requestPath('/.well-known/security.txt', '/')).toMatchObject({ ok: true, file: '.well-known/security.txt' });
  });
});

describe('hasExtension', () => {
  it('tells files from client-side routes', () => {
    expect(hasExtension('assets/a.js')).toBe(true);
    expect(hasExtension('quotes/42')).toBe(false);
    expect(hasExtension('v1.2/pricing')).toBe(false);
  });
});
