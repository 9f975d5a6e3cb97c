import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { contentType } from 'mime-types';

/** One file of the built dashboard, kept in memory with its gzip form (the whole build is ~200 KB). */
export interface DashboardFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  /** Vite's hashed assets never change under their name: cached for a year. */
  immutable: boolean;
}

/** Where `npm run build` writes the dashboard; the same relative path from src/api/dashboard and dist/api/dashboard. */
export const defaultDashboardDir = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const compressible = /^(text\/|application\/(javascript|json)|image\/svg)/;

function* walk(dir: string, prefix = ''): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(path.join(dir, entry.name), rel);
    else yield rel;
  }
}

/** The built dashboard's files by URL path ("/index.html", "/assets/x-1a2b.js"); empty when it was not built. */
export function loadDashboard(dir = defaultDashboardDir): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  if (!existsSync(path.join(dir, 'index.html'))) return files;
  for (const rel of walk(dir)) {
    if (rel.startsWith('.vite/')) continue;
    const full = path.join(dir, rel);
    if (!statSync(full).isFile()) continue;
    const body = readFileSync(full);
    const type = contentType(path.extname(rel)) || 'application/octet-stream';
    files.set(`/${rel}`, {
      body,
      gzip: compressible.test(type) && body.length > 512 ? gzipSync(body, { level: 9 }) : null,
      type,
      immutable: rel.startsWith('assets/'),
    });
  }
  return files;
}
