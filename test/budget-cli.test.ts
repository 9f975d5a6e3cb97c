import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harborBuild, writeViteBuild } from '../src/gates/testing/vite-build.js';
import { runSlipway } from './support/cli.js';

/** `slipway budget` as CI runs it: a real process on real build directories, no coordinator. */
let root: string;
let stable: string;
let candidate: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-budget-cli-'));
  stable = path.join(root, 'stable');
  candidate = path.join(root, 'candidate');
  harborBuild(stable, { vendor: 60_000 }, 'OLDhash1');
  harborBuild(candidate, { vendor: 80_000 }, 'NEWhash2');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('slipway budget', () => {
  it('within budget: a table of entries against the previous build, exit 0', async () => {
    const r = await runSlipway([
      'budget',
      '--dir',
      candidate,
      '--previous',
      stable,
      '--entry',
      '200KB',
      '--max-growth',
      '30%',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ENTRY\s+FILE\s+GZIP\s+PREVIOUS\s+CHANGE$/m);
    expect(r.stdout).toMatch(/^index\.html\s+assets\/index-NEWhash2\.js\s+105\.\d KB\s+8[\d.]+ KB\s+\+22\.\d %$/m);
    expect(r.stdout).toMatch(/^\(total\)\s+14[\d.]+ KB\s+12[\d.]+ KB\s+\+1\d\.\d %$/m);
    expect(r.stdout).toMatch(/within budget \(gzip level 9 \(node:zlib\)\)/);
  });

  it('over budget: exit 1, every problem names the entry and its chunks; --json gives the same result', async () => {
    const args = ['budget', '--dir', candidate, '--previous', stable, '--entry', '100KB', '--max-growth', '10%'];
    const r = await runSlipway(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^over budget:$/m);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^ {2}entry index\.html is 105\.\d KB gzip, 5\.\d KB over its limit of 100 KB: ` +
          String.raw`assets/vendor-NEWhash2\.js 78\.\d KB,`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      /^ {2}entry index\.html grew 22\.\d % .*: assets\/vendor-NEWhash2\.js 78\.\d KB \(\+19\.\d KB\)$/m,
    );
    const json = await runSlipway([...args, '--json']);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as { ok: boolean; problems: string[]; entries: { name: string }[] };
    expect(result.ok).toBe(false);
    expect(result.entries.map((e) => e.name).sort()).toEqual(['admin.html', 'index.html']);
    expect(result.problems).toHaveLength(4);
  });

  it('bad input exits 2 with what is wrong', async () => {
    const bad = async (args: string[], message: RegExp) => {
      const r = await runSlipway(['budget', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    };
    await bad(['--dir', candidate, '--entry', 'big'], /--entry "big": expected a size above 0 like 200KB/);
    await bad(['--dir', candidate, '--max-growth', '10%'], /--max-growth needs --previous DIR/);
    await bad(
      ['--dir', candidate, '--previous', stable, '--max-growth', 'ten'],
      /--max-growth "ten": expected a percentage/,
    );
    await bad(['--dir', candidate], /give at least one limit: --total, --entry or --max-growth/);
    await bad(['--entry', '1KB'], /required option '--dir <dir>' not specified/);
    const broken = path.join(root, 'broken');
    writeViteBuild(broken, {}, { 'index.html': { file: 'assets/index.js', isEntry: true } });
    await bad(
      ['--dir', broken, '--total', '1MB'],
      /assets\/index\.js is missing; \.vite\/manifest\.json names it at \["index\.html"\]\.file/,
    );
    await bad(['--dir', path.join(root, 'nowhere'), '--total', '1MB'], /manifest\.json not found/);
  });
});
