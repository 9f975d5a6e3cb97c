import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetError } from './budget-error.js';
import { checkBundleBudget, stemOf } from './bundle-budget.js';
import { gzipBytesOf, harborBuild, writeViteBuild } from './testing/vite-build.js';

const root = mkdtempSync(path.join(tmpdir(), 'slipway-budget-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(root, `build-${++n}`);

const sumOf = (files: Record<string, Buffer>, names: string[]) =>
  names.reduce((total, name) => total + gzipBytesOf(files[name]!), 0);

describe('checkBundleBudget: measuring', () => {
  it('counts an entry with its static imports and css, transitively, once each; lazy chunks in the total', async () => {
    const dir = fresh();
    const files = harborBuild(dir);
    const r = await checkBundleBudget({ dir, budget: {} });
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.compression).toBe('gzip level 9 (node:zlib)');
    const index = r.entries.find((e) => e.name === 'index.html')!;
    // The shared chunk imports the vendor chunk back: the cycle is followed once.
    expect(index.files.map((f) => f.file).sort()).toEqual([
      'assets/index-B7PI925R.css',
      'assets/index-B7PI925R.js',
      'assets/shared-B7PI925R.js',
      'assets/vendor-B7PI925R.js',
    ]);
    expect(index.file).toBe('assets/index-B7PI925R.js');
    expect(index.gzipBytes).toBe(
      sumOf(files, [
        'assets/index-B7PI925R.js',
        'assets/vendor-B7PI925R.js',
        'assets/shared-B7PI925R.js',
        'assets/index-B7PI925R.css',
      ]),
    );
    // Largest first, so the offending chunks lead a problem.
    expect(index.files[0]!.file).toBe('assets/vendor-B7PI925R.js');
    const admin = r.entries.find((e) => e.name === 'admin.html')!;
    expect(admin.gzipBytes).toBe(
      sumOf(files, ['assets/admin-B7PI925R.js', 'assets/shared-B7PI925R.js', 'assets/vendor-B7PI925R.js']),
    );
    expect(r.entries).toHaveLength(2);
    expect(r.total).toBe(sumOf(files, Object.keys(files)));
    expect(r.previousTotal).toBeUndefined();
  });

  it('gzip counts: a compressible file costs far less than its bytes', async () => {
    const dir = fresh();
    const text = 'export const quote = () => 42;\n'.repeat(2000);
    writeViteBuild(
      dir,
      { 'assets/main-AAAAAAAA.js': text },
      {
        'src/main.tsx': { file: 'assets/main-AAAAAAAA.js', isEntry: true },
      },
    );
    const r = await checkBundleBudget({ dir, budget: { perEntry: 2048 } });
    expect(r.entries[0]!.gzipBytes).toBe(gzipBytesOf(text));
    expect(r.entries[0]!.gzipBytes).toBeLessThan(text.length / 20);
    expect(r.ok).toBe(true);
  });

  it('reads the manifest from another path when told', async () => {
    const dir = fresh();
    writeViteBuild(dir, { 'a.js': 'x' }, { 'a.ts': { file: 'a.js', isEntry: true } }, 'manifest.json');
    const r = await checkBundleBudget({ dir, budget: { manifest: 'manifest.json' } });
    expect(r.entries.map((e) => e.name)).toEqual(['a.ts']);
  });
});

describe('checkBundleBudget: limits', () => {
  it('an entry over its limit is named with its size, the excess and its chunks, largest first', async () => {
    const dir = fresh();
    harborBuild(dir, { vendor: 200_000 });
    const r = await checkBundleBudget({ dir, budget: { perEntry: 200 * 1024 } });
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(2);
    const [index, admin] = r.problems;
    expect(index).toMatch(
      new RegExp(
        String.raw`^entry index\.html is 222\.\d KB gzip, 22\.\d KB over its limit of 200 KB: ` +
          String.raw`assets/vendor-B7PI925R\.js 195\.\d KB, assets/index-B7PI925R\.js 19\.\d KB, ` +
          String.raw`assets/shared-B7PI925R\.js 4\.\d KB, assets/index-B7PI925R\.css [\d.]+ KB$`,
      ),
    );
    expect(admin).toMatch(/^entry admin\.html is 20[\d.]+ KB gzip, .* over its limit of 200 KB: assets\/vendor/);
  });

  it('the total over its limit names the largest files of the build, lazy ones included', async () => {
    const dir = fresh();
    harborBuild(dir, { lazy: 150_000 });
    const r = await checkBundleBudget({ dir, budget: { total: 200 * 1024, perEntry: 200 * 1024 } });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(
      new RegExp(
        String.raw`^the build is 2[\d.]+ KB gzip, .* over its limit of 200 KB; largest: ` +
          String.raw`assets/lazy-B7PI925R\.js 146\.\d KB, assets/vendor-B7PI925R\.js 58\.\d KB, ` +
          String.raw`.* and 2 more \([\d.]+ KB\)$`,
      ),
    );
  });

  it('passes exactly at the limit', async () => {
    const dir = fresh();
    writeViteBuild(dir, { 'a.js': 'hello' }, { 'a.ts': { file: 'a.js', isEntry: true } });
    const size = gzipBytesOf('hello');
    expect((await checkBundleBudget({ dir, budget: { perEntry: size, total: size } })).ok).toBe(true);
    expect((await checkBundleBudget({ dir, budget: { perEntry: size - 1 } })).ok).toBe(false);
  });
});

describe('checkBundleBudget: against the previous release', () => {
  it('growth past maxGrowth fails, naming the chunks that grew (matched across content hashes)', async () => {
    const previousDir = fresh();
    const dir = fresh();
    harborBuild(previousDir, { vendor: 60_000 }, 'OLDhash1');
    harborBuild(dir, { vendor: 80_000 }, 'NEW-ha_2');
    const r = await checkBundleBudget({ dir, previousDir, budget: { maxGrowth: 0.1 } });
    expect(r.ok).toBe(false);
    const index = r.entries.find((e) => e.name === 'index.html')!;
    expect(index.previousGzipBytes).toBeGreaterThan(87_000);
    expect(index.gzipBytes - index.previousGzipBytes!).toBeGreaterThan(19_000);
    expect(r.previousTotal).toBeLessThan(r.total);
    expect(r.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`^entry index\.html grew 22\.\d % \(8[\d.]+ KB → 10[\d.]+ KB gzip\), more than the \+10 % ` +
            String.raw`allowed: assets/vendor-NEW-ha_2\.js 78\.\d KB \(\+19\.\d KB\)$`,
        ),
      ),
      expect.stringMatching(
        /^entry admin\.html grew 2\d\.\d % .*: assets\/vendor-NEW-ha_2\.js 78\.\d KB \(\+19\.\d KB\)$/,
      ),
      // The total grew by 20 KB out of ~125 KB: 15.8 %.
      expect.stringMatching(/^the build grew 1\d\.\d % .*: assets\/vendor-NEW-ha_2\.js 78\.\d KB \(\+19\.\d KB\)$/),
    ]);
  });

  it('growth within maxGrowth passes; a new entry has no previous size and no growth check', async () => {
    const previousDir = fresh();
    const dir = fresh();
    writeViteBuild(previousDir, { 'a.js': Buffer.alloc(10_000, 1) }, { 'a.ts': { file: 'a.js', isEntry: true } });
    harborBuild(dir);
    const r = await checkBundleBudget({ dir, previousDir, budget: { maxGrowth: 0.1 } });
    expect(r.entries.every((e) => e.previousGzipBytes === undefined)).toBe(true);
    // The total grew enormously: that one fails, naming the new files.
    expect(r.problems).toEqual([
      expect.stringMatching(/^the build grew .*: assets\/vendor-B7PI925R\.js 58\.\d KB \(new\)/),
    ]);
    const same = await checkBundleBudget({ dir, previousDir: dir, budget: { maxGrowth: 0 } });
    expect(same.ok).toBe(true);
    expect(same.entries[0]!.previousGzipBytes).toBe(same.entries[0]!.gzipBytes);
  });

  it('strips an 8-character content hash to match chunks', () => {
    expect(stemOf('assets/index-B7PI925R.js')).toBe('assets/index.js');
    expect(stemOf('assets/vendor-react-a_b-C12D.js')).toBe('assets/vendor-react.js');
    expect(stemOf('assets/logo.svg')).toBe('assets/logo.svg');
  });
});

describe('checkBundleBudget: a build it cannot measure', () => {
  const fails = async (dir: string, message: RegExp | string, extra: { previousDir?: string } = {}) => {
    const e = await checkBundleBudget({ dir, ...extra, budget: {} }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BudgetError);
    expect((e as BudgetError).code).toBe('invalid_input');
    expect((e as BudgetError).message).toMatch(message);
  };

  it('no manifest, or one that is not JSON', async () => {
    const dir = fresh();
    await fails(dir, /\.vite\/manifest\.json not found: the build has no Vite manifest \(set build\.manifest: true/);
    writeViteBuild(dir, {}, '{"index.html": ');
    await fails(dir, /\.vite\/manifest\.json is not JSON: /);
  });

  it('a malformed manifest: the key path of what is wrong', async () => {
    const cases: [unknown, string][] = [
      [[], '(top level): expected an object of chunks'],
      [{ 'index.html': 'x' }, '["index.html"]: expected a chunk object with a "file"'],
      [{ 'index.html': { isEntry: true } }, '["index.html"].file: expected a file path'],
      [{ 'index.html': { file: 'a.js', isEntry: 'yes' } }, '["index.html"].isEntry: expected true or false'],
      [
        { 'index.html': { file: 'a.js', isEntry: true, imports: ['_x.js'] } },
        '["index.html"].imports[0]: "_x.js" is not a key of the manifest',
      ],
      [{ 'index.html': { file: 'a.js', isEntry: true, css: 'a.css' } }, '["index.html"].css: expected an array'],
      [
        { 'index.html': { file: 'a.js', isEntry: true, css: ['../../etc/passwd'] } },
        '["index.html"].css[0]: "../../etc/passwd" is outside the build directory',
      ],
      [{ 'index.html': { file: '/etc/passwd', isEntry: true } }, '["index.html"].file: "/etc/passwd" is outside'],
      [{ '_a.js': { file: 'a.js' } }, '(top level): no chunk has "isEntry": true'],
    ];
    for (const [manifest, message] of cases) {
      const dir = fresh();
      writeViteBuild(dir, { 'a.js': 'x' }, JSON.stringify(manifest));
      await fails(dir, `${path.join(dir, '.vite/manifest.json')}: ${message}`);
    }
  });

  it('a file the manifest names that is missing from the build, with where it is named', async () => {
    const dir = fresh();
    writeViteBuild(
      dir,
      { 'assets/a.js': 'x' },
      {
        'index.html': { file: 'assets/a.js', isEntry: true, css: ['assets/a.css'] },
      },
    );
    await fails(
      dir,
      `${path.join(dir, 'assets/a.css')} is missing; .vite/manifest.json names it at ["index.html"].css[0]`,
    );
  });

  it('the previous build is checked the same way', async () => {
    const dir = fresh();
    harborBuild(dir);
    await fails(dir, `${path.join(root, 'nowhere/.vite/manifest.json')} not found`, {
      previousDir: path.join(root, 'nowhere'),
    });
  });

  it('limits that are not sizes', async () => {
    const dir = fresh();
    harborBuild(dir);
    await expect(checkBundleBudget({ dir, budget: { total: 0 } })).rejects.toThrow(
      'budget.total: expected a size in bytes above 0, got 0',
    );
    await expect(checkBundleBudget({ dir, budget: { maxGrowth: -0.1 } })).rejects.toThrow(
      'budget.maxGrowth: expected a fraction ≥ 0',
    );
  });
});
