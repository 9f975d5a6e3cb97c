import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/entry.js';

/** The package as installed: the `slipway` bin runs the compiled CLI (npm test builds dist/ first). */
describe('package', () => {
  it('bin/slipway.js runs the built CLI', () => {
    expect(existsSync(`${repoRoot}dist/cli/main.js`), 'dist/ is missing: run `npm run build` (npm test does)').toBe(
      true,
    );
    const out = execFileSync(process.execPath, [`${repoRoot}bin/slipway.js`, '--help'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(out).toMatch(/^Usage: slipway /);
    expect(existsSync(`${repoRoot}dist/store/schema/001_spine.sql`)).toBe(true);
  });

  it('ships the JSON Schema and declares the bin', () => {
    const pkg = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8'));
    expect(pkg.bin.slipway).toBe('bin/slipway.js');
    expect(pkg.files).toContain('schema');
    expect(JSON.parse(readFileSync(`${repoRoot}schema/slipway.schema.json`, 'utf8')).title).toBeTruthy();
  });

  it('every installed dependency runs on the oldest Node the package claims', () => {
    const pkg = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8'));
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.satisfies(process.version, pkg.engines.node), `this machine's Node ${process.version}`).toBe(true);
    const refusing: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        if (name.startsWith('.')) continue;
        const at = path.join(dir, name);
        if (name.startsWith('@')) {
          walk(at);
          continue;
        }
        const manifest = path.join(at, 'package.json');
        if (existsSync(manifest)) {
          const { name: n, version, engines } = JSON.parse(readFileSync(manifest, 'utf8'));
          if (engines?.node && !semver.satisfies(oldest, engines.node, { includePrerelease: true }))
            refusing.push(`${n}@${version} needs node ${engines.node}`);
        }
        walk(path.join(at, 'node_modules'));
      }
    };
    walk(`${repoRoot}node_modules`);
    expect(refusing, `package.json claims node ${pkg.engines.node}`).toEqual([]);
  });
});
