/** Compressed copies made once per release at publish time, so serving never compresses. */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text formats and the binary ones that are not compressed already (images, fonts and video mostly are). */
export function isCompressible(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /\+(json|xml)$/.test(type) ||
    [
      'application/javascript',
      'application/json',
      'application/manifest+json',
      'application/wasm',
      'application/xml',
      'image/svg+xml',
      'image/x-icon',
      'image/vnd.microsoft.icon',
      'font/ttf',
      'font/otf',
      'application/vnd.ms-fontobject',
    ].includes(type)
  );
}

/** Below this a compressed copy saves less than its headers cost. */
const minimumSize = 256;

/**
 * Brotli quality 11 costs ~1.2 s per MB here (quality 9: ~0.2 s, ~10 % larger): worth it once per
 * release for what browsers load, not for multi-megabyte files (source maps, big vendor chunks),
 * which would hold up the first instance's start.
 */
const bestQualityUpTo = 1024 * 1024;

/**
 * Brotli (best quality up to 1 MiB: paid once per release) and gzip copies of `body`, each only
 * when it is smaller than the original.
 */
export async function precompress(body: Buffer): Promise<{ br?: Buffer; gzip?: Buffer }> {
  if (body.length < minimumSize) return {};
  const [br, gzipped] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: body.length <= bestQualityUpTo ? constants.BROTLI_MAX_QUALITY : 9,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gz(body, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  return {
    ...(br.length < body.length ? { br } : {}),
    ...(gzipped.length < body.length ? { gzip: gzipped } : {}),
  };
}
