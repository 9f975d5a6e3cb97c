import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './run.js';
import { type CapturedOutput, captureOutput } from '../../test/support/captured-output.js';

/** A failed command run with --json: one JSON object on stdout, the text on stderr, the exit code unchanged. */
describe('a failed --json run', () => {
  let io: CapturedOutput;
  let server: http.Server | undefined;
  const saved = { url: process.env.SLIPWAY_URL, token: process.env.SLIPWAY_TOKEN };

  beforeEach(() => {
    io = captureOutput();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    process.env.SLIPWAY_URL = saved.url;
    process.env.SLIPWAY_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.SLIPWAY_URL;
    if (saved.token === undefined) delete process.env.SLIPWAY_TOKEN;
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  const run = (...args: string[]) => runCli(['node', 'slipway', ...args]);

  /** A coordinator that refuses every request with `status` and `body`. */
  async function refusingCoordinator(status: number, body: unknown): Promise<void> {
    server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    process.env.SLIPWAY_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.SLIPWAY_TOKEN = 'slw_the-secret-token';
  }

  it('a refusal by the coordinator prints its code, message and details (what it waits for), exit 5', async () => {
    const waits = [{ environment: 'staging', reason: 'not deployed to staging yet' }];
    await refusingCoordinator(409, {
      error: {
        code: 'conflict',
        message: 'api 2.0.0 cannot go to production yet: not deployed to staging yet',
        details: { waits, token: 'slw_echoed-by-mistake' },
      },
    });
    const code = await run('--project', 'harbor', 'promote', 'dep_1', '--json');
    expect(code).toBe(5);
    expect(JSON.parse(io.stdout)).toEqual({
      error: {
        code: 'conflict',
        message: 'api 2.0.0 cannot go to production yet: not deployed to staging yet',
        details: { waits },
      },
    });
    expect(io.stdout).not.toContain('slw_');
    expect(io.stderr).toContain('cannot go to production yet');
  });

  it('bad input found by the CLI itself, exit 2', async () => {
    const code = await run('logs', 'api', '--tail', 'lots', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(io.stdout).error).toEqual({
      code: 'invalid_input',
      message: '--tail lots: expected a whole number of lines',
    });
    expect(io.stderr).toContain('--tail lots');
  });

  it('a flag commander refuses, exit 2', async () => {
    const code = await run('logs', 'api', '--json', '--no-such-flag');
    expect(code).toBe(2);
    expect(JSON.parse(io.stdout).error.message).toMatch(/unknown option '--no-such-flag'/);
  });

  it('without --json, stdout stays empty', async () => {
    expect(await run('logs', 'api', '--tail', 'lots')).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toContain('--tail lots');
  });
});
