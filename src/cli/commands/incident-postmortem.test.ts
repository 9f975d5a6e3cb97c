import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../run.js';
import { type CapturedOutput, captureOutput } from '../../../test/support/captured-output.js';

describe('slipway incident postmortem --json', () => {
  let io: CapturedOutput;
  let server: http.Server;
  const saved = { url: process.env.SLIPWAY_URL, token: process.env.SLIPWAY_TOKEN };
  const asked: string[] = [];

  beforeEach(async () => {
    io = captureOutput();
    // A coordinator that has one postmortem draft.
    server = http.createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ markdown: '# Postmortem: inc_1\n' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env.SLIPWAY_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.SLIPWAY_TOKEN = 'slw_test-token';
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const [k, v] of Object.entries({ SLIPWAY_URL: saved.url, SLIPWAY_TOKEN: saved.token }))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('prints the incident id and the Markdown as one JSON document, as every read command may', async () => {
    const code = await runCli(['node', 'slipway', '--project', 'harbor', 'incident', 'postmortem', 'inc_1', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ incident: 'inc_1', markdown: '# Postmortem: inc_1\n' });
    expect(asked).toContain('GET /api/v1/incidents/inc_1/postmortem');
  });
});
