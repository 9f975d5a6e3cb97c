import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlipwayError } from '../shared/errors.js';
import { prepareDataDir } from './data-dir.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('prepareDataDir', () => {
  it('creates the directory 0700 with its logs folder', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'slipway-data-'));
    const data = path.join(dir, 'nested', '.slipway');
    prepareDataDir(data);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(data, 'logs')).isDirectory()).toBe(true);
  });

  it('says in one line why it cannot be created', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'slipway-data-'));
    writeFileSync(path.join(dir, 'file'), '');
    const data = path.join(dir, 'file', '.slipway');
    const error = (() => {
      try {
        prepareDataDir(data);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SlipwayError);
    expect((error as SlipwayError).message).toMatch(
      new RegExp(`^cannot create the data directory ${data.replace(/[.]/g, '\\.')}: `),
    );
    expect((error as SlipwayError).message).not.toContain('\n');
  });
});
