import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../shared/errors.js';
import { CliError } from './errors.js';
import { writeOutputFile } from './output-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-output-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(file: string, option?: string): CliError {
  try {
    writeOutputFile(file, 'text', option);
  } catch (e) {
    return e as CliError;
  }
  throw new Error('expected a failure');
}

describe('writeOutputFile', () => {
  it('writes the file', () => {
    writeOutputFile(path.join(dir, 'pm.md'), '# pm\n');
    expect(readFileSync(path.join(dir, 'pm.md'), 'utf8')).toBe('# pm\n');
  });

  it('a missing directory is a usage error (exit 2) naming the option and the path, with no stack', () => {
    const e = failure(path.join(dir, 'nonexistent', 'pm.md'));
    expect(e).toBeInstanceOf(CliError);
    expect(exitCodeOf(e.code)).toBe(2);
    expect(e.message).toBe(
      `--output ${path.join(dir, 'nonexistent', 'pm.md')}: cannot write it: its directory does not exist`,
    );
  });

  it('a directory is a usage error too, and the option named is the one given', () => {
    const e = failure(dir, '--config');
    expect(exitCodeOf(e.code)).toBe(2);
    expect(e.message).toBe(`--config ${dir}: cannot write it: it is a directory; name a file`);
  });
});
