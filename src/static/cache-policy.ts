/**
 * Caching rules. A file whose name carries a content hash (Vite's `assets/index-BmBE1k7S.js`,
 * webpack's `main.3f9a1c2b.js`) never changes under that name, so browsers may keep it for a
 * year without asking again. Everything else, index.html above all, is revalidated on every
 * use (`no-cache` still lets the browser keep it, with a 304 when its ETag still matches): a new
 * release is picked up on the next page load, not when a cache expires.
 */

export const immutableCacheControl = 'public, max-age=31536000, immutable';
export const revalidateCacheControl = 'no-cache';

/**
 * True when the file name carries a content hash. A word is not a hash: a token after the last
 * dash or dot must hold a digit (not only digits: that is a date or build number) or both upper and
 * lower case; an 8-character tail with a dash or underscore in it (rollup's base64url hashes, as in
 * `index-D-tNLy3W.js`) must mix cases. A miss only costs a revalidation; a false hit would keep a
 * stale file in browsers for a year, hence the strictness.
 */
export function isHashedAsset(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const stem = withoutExtension(name);
  if (stem === undefined) return false;
  // `x-3f9a1c2b.js` and `x-3f9a1c2b.js.map`, `x-3f9a1c2b.min.js`.
  const stems = [stem, withoutExtension(stem)].filter((s): s is string => s !== undefined);
  return stems.some((s) => hashedTail(s));
}

function withoutExtension(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 && /^[A-Za-z0-9]+$/.test(name.slice(dot + 1)) ? name.slice(0, dot) : undefined;
}

const mixedCase = (text: string) => /[a-z]/.test(text) && /[A-Z]/.test(text);

function hashedTail(stem: string): boolean {
  const token = /[.-]([A-Za-z0-9_]{8,})$/.exec(stem)?.[1];
  if (token !== undefined && !/^\d+$/.test(token) && (/\d/.test(token) || mixedCase(token))) return true;
  const tail = stem.slice(-8);
  const before = stem.charAt(stem.length - 9);
  return (
    stem.length > 9 &&
    (before === '-' || before === '.') &&
    /^[A-Za-z0-9_-]{8}$/.test(tail) &&
    /[-_]/.test(tail) &&
    mixedCase(tail)
  );
}

/** The Cache-Control header for a build-relative file. */
export function cacheControlFor(file: string): string {
  if (/\.html?$/i.test(file)) return revalidateCacheControl; // pages, whatever their name
  return isHashedAsset(file) ? immutableCacheControl : revalidateCacheControl;
}
