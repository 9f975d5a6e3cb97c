import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePgliteDataDir } from './pglite-data-dir.js';
import { openPglite } from './pglite-driver.js';
import { templateCacheDir } from './pglite-template.js';

const dirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-pglite-template-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the cached initdb template', () => {
  it('the first store made is kept as the template; the next is a copy of it, a database of its own', async () => {
    const cache = tmp();
    const work = tmp();
    expect(await ensurePgliteDataDir(path.join(work, 'a'), undefined, cache)).toBe('created');
    expect(readdirSync(cache).filter((f) => /^pglite-.+-initdb$/.test(f))).toHaveLength(1);
    expect(await ensurePgliteDataDir(path.join(work, 'b'), undefined, cache)).toBe('copied');
    expect(readdirSync(work).sort()).toEqual(['a', 'b']); // no .init directory left behind
    const a = await openPglite({ dataDir: path.join(work, 'a') });
    const b = await openPglite({ dataDir: path.join(work, 'b') });
    try {
      await a.exec("create table t (s text); insert into t values ('only in a')");
      expect((await a.query('select s from t')).rows).toEqual([{ s: 'only in a' }]);
      await expect(b.query('select s from t')).rejects.toThrow(/relation "t" does not exist/);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  it('a template that is not a data directory is not copied: the store is made by initdb', async () => {
    const cache = tmp();
    const work = tmp();
    expect(await ensurePgliteDataDir(path.join(work, 'first'), undefined, cache)).toBe('created');
    const [template] = readdirSync(cache);
    rmSync(path.join(cache, template!), { recursive: true });
    mkdirSync(path.join(cache, template!));
    writeFileSync(path.join(cache, template!, 'junk'), 'not a database');
    expect(await ensurePgliteDataDir(path.join(work, 'second'), undefined, cache)).toBe('created');
    expect(existsSync(path.join(work, 'second', 'PG_VERSION'))).toBe(true);
  }, 120_000);

  it('lives in SLIPWAY_CACHE_DIR (empty: no cache), else XDG_CACHE_HOME/slipway, else ~/.cache/slipway', () => {
    expect(templateCacheDir({ SLIPWAY_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(templateCacheDir({ SLIPWAY_CACHE_DIR: '' })).toBeUndefined();
    expect(templateCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/slipway');
    expect(templateCacheDir({})).toMatch(/\.cache\/slipway$/);
  });
});
