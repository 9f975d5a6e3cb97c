import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
});
