import { describe, expect, it } from 'vitest';
import { cacheControlFor, immutableCacheControl, isHashedAsset } from './cache-policy.js';

describe('isHashedAsset', () => {
  it.each([
    'assets/index-3f9a1c2b.js',
    'assets/index-BmBE1k7S.js',
    'assets/index-D-tNLy3W.js',
    'assets/index-CmbMqTOo.css',
    'static/js/main.3f9a1c2b.js',
    'static/js/787.8b0e3c5d.chunk.js',
    'assets/index-3f9a1c2b.js.map',
    'fonts/inter-latin-400-normal-a1b2c3d4e5.woff2',
  ])('%s carries a hash', (file) => {
    expect(isHashedAsset(file)).toBe(true);
  });

  it.each([
    'index.html',
    'robots.txt',
    'favicon.ico',
    'app-component.js',
    'assets/vendor-library.js',
    'images/photo-20230101.jpg',
    'jquery-3.6.0.min.js',
    'logo.svg',
  ])('%s does not', (file) => {
    expect(isHashedAsset(file)).toBe(false);
  });
});

describe('cacheControlFor', () => {
  it('caches hashed assets for a year and revalidates everything else, index.html always', () => {
    expect(cacheControlFor('assets/index-3f9a1c2b.js')).toBe('public, max-age=31536000, immutable');
    expect(immutableCacheControl).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('index.html')).toBe('no-cache');
    expect(cacheControlFor('docs/index.html')).toBe('no-cache');
    expect(cacheControlFor('robots.txt')).toBe('no-cache');
    expect(cacheControlFor('report-3f9a1c2b.html')).toBe('no-cache');
  });
});
