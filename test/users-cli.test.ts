import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken, generateToken } from '../src/api/auth.js';
import { testApi } from './support/api-harness.js';
import { engineHarness, type Harness } from './support/engine-harness.js';
import { entryCommand } from './support/entry.js';

/** `slipway users create | list` as a process against a listening API: the password comes from stdin, never argv. */
let h: Harness;
let app: FastifyInstance;
let url: string;
let cwd: string;
const token = generateToken();

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, token);
  app = await testApi(h);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  cwd = mkdtempSync(path.join(tmpdir(), 'slipway-users-cli-'));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function slipway(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [node, argv] = entryCommand('src/cli/main.ts', args);
  return new Promise((resolve) => {
    const child = spawn(node, argv, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', SLIPWAY_URL: url, SLIPWAY_TOKEN: token },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('slipway users', () => {
  it('create reads the password from stdin; it logs in; list shows the user without secrets; a short password is ' +
    'refused', async () => {
    const created = await slipway(
      ['users', 'create', 'alice', '--grant', 'approver:production', '--grant', 'viewer:*'],
      'a long enough password\n',
    );
    expect(created.stderr).toContain('They log in with POST /api/v1/auth/login');
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('created user alice: approver on production, viewer on *\n');
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'alice', password: 'a long enough password' },
    });
    expect(login.statusCode).toBe(200);

    const list = await slipway(['users', 'list'], '');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/alice\s+approver on production, viewer on \*\s+off\s+active\s+admin/);
    expect(list.stdout).not.toContain('a long enough password');

    const short = await slipway(['users', 'create', 'bob', '--grant', 'viewer:*'], 'too short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('the password must be at least 12 characters');
  }, 60_000);
});
