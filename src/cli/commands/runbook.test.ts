import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../run.js';
import { type CapturedOutput, captureOutput } from '../../../test/support/captured-output.js';

const yaml = `project: walk
environments:
  staging:
    listen: 127.0.0.1:18081
services:
  api:
    command: node
    args: [server.js]
`;

describe('slipway runbook --json', () => {
  let dir: string;
  let io: CapturedOutput;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'slipway-runbook-'));
    writeFileSync(path.join(dir, 'slipway.yaml'), yaml);
    io = captureOutput();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = async (...args: string[]) => {
    io.stdout = '';
    const code = await runCli(['node', 'slipway', '--config', path.join(dir, 'slipway.yaml'), 'runbook', ...args]);
    return { code, json: io.stdout ? JSON.parse(io.stdout) : undefined };
  };

  it('prints the Markdown and the file written; --check whether it matches, and the first difference', async () => {
    const file = path.join(dir, 'RUNBOOK.md');
    const written = await run('--json');
    expect(written).toEqual({ code: 0, json: { markdown: readFileSync(file, 'utf8'), file } });
    expect(written.json.markdown).toContain('# Incident response plan: walk');
    expect(await run('--check', '--json')).toEqual({ code: 0, json: { matches: true, file, firstDifference: null } });

    writeFileSync(file, `${readFileSync(file, 'utf8')}an extra line\n`);
    const stale = await run('--check', '--json');
    expect(stale.code).toBe(1);
    expect(stale.json).toEqual({
      matches: false,
      file,
      firstDifference: { line: expect.any(Number), committed: 'an extra line', config: '(end of file)' },
    });
    expect(io.stderr).toContain('no longer matches slipway.yaml');
  });

  it('-o - --json prints it without writing a file', async () => {
    const printed = await run('-o', '-', '--json');
    expect(printed.code).toBe(0);
    expect(Object.keys(printed.json)).toEqual(['markdown']);
  });
});
