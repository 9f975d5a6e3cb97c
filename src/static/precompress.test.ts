import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isCompressible, precompress } from './precompress.js';

describe('isCompressible', () => {
  it('takes text, JSON, SVG and wasm; not images, fonts or archives that are compressed already', () => {
    for (const type of [
      'text/html; charset=utf-8',
      'text/javascript; charset=utf-8',
      'application/json',
      'application/manifest+json',
      'image/svg+xml',
      'application/wasm',
    ])
      expect(isCompressible(type)).toBe(true);
    for (const type of ['image/png', 'image/webp', 'font/woff2', 'application/zip', 'application/octet-stream'])
      expect(isCompressible(type)).toBe(false);
  });
});

describe('precompress', () => {
  it('makes brotli and gzip copies that decode to the original, smallest first', async () => {
    const body = Buffer.from('export const quote = 42;\n'.repeat(200));
    const { br, gzip } = await precompress(body);
    expect(brotliDecompressSync(br!)).toEqual(body);
    expect(gunzipSync(gzip!)).toEqual(body);
    expect(br!.length).toBeLessThanOrEqual(gzip!.length);
  });

  it('skips tiny files and copies that would not be smaller', async () => {
    expect(await precompress(Buffer.from('ok'))).toEqual({});
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 251));
    const copies = await precompress(noise);
    for (const copy of Object.values(copies)) expect(copy.length).toBeLessThan(noise.length);
  });

  it('compresses files above 1 MiB too (at a faster brotli quality)', async () => {
    const big = Buffer.from('const line = "harbor quote";\n'.repeat(40_000));
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const { br } = await precompress(big);
    expect(brotliDecompressSync(br!).equals(big)).toBe(true); // equals: toEqual walks 1 MB byte by byte
  });
});
