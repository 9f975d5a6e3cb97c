/**
 * A request target → the build-relative file it asks for. The site is served from a manifest of
 * the files it holds, so a path outside the build cannot be answered anyway; this refuses the
 * tricks early (encoded dots, NUL, backslashes) with a 400 so they never reach the lookup.
 */

/** What a request path names: a file relative to the build (`assets/a.js`), or why not. */
export type RequestPath =
  | { ok: true; file: string; directory: boolean }
  | { ok: false; status: 400 | 404; reason: string };

/** Directory names that may start with a dot and still be served (RFC 8615). */
const servedDotDirectories = new Set(['.well-known']);

/**
 * Map `url` (path and query, as in IncomingMessage.url) under `base` (the route's path prefix,
 * e.g. `/` or `/app`) to a file of the build. A path ending in `/` names that directory's
 * index.html. Dot files (.env, .git, .vite) are never served.
 */
export function requestPath(url: string, base: string): RequestPath {
  const query = url.search(/[?#]/);
  const raw = query < 0 ? url : url.slice(0, query);
  if (!raw.startsWith('/')) return { ok: false, status: 400, reason: 'the request path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'the request path is not valid percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\'))
    return { ok: false, status: 400, reason: 'the request path holds a NUL byte or a backslash' };
  const prefix = base.length > 1 ? base.replace(/\/+$/, '') : '';
  if (prefix !== '' && decoded !== prefix && !decoded.startsWith(`${prefix}/`))
    return { ok: false, status: 404, reason: `the path is not under ${prefix}/` };
  const segments = decoded.slice(prefix.length).split('/');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '') continue;
    if (segment === '.' || segment === '..')
      return { ok: false, status: 400, reason: 'the request path holds a . or .. segment' };
    if (segment.startsWith('.') && !servedDotDirectories.has(segment))
      return { ok: false, status: 404, reason: 'dot files are not served' };
    kept.push(segment);
  }
  const directory = kept.length === 0 || decoded.endsWith('/');
  if (directory) kept.push('index.html');
  return { ok: true, file: kept.join('/'), directory };
}

/** True when the last segment of a build-relative path has a file extension (`a.js`, not `pricing`). */
export function hasExtension(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return name.lastIndexOf('.') > 0;
}
