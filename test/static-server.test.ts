import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { entryCommand } from './support/entry.js';
import { reservePort } from './support/test-ports.js';
import { viteLikeBuild, writeBuild } from './support/static-build.js';

/** The static server as the process a `static:` service runs: its one-line refusals and its graceful stop. */
const root = mkdtempSync(path.join(tmpdir(), 'slipway-static-process-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function start(args: string[]) {
  const [node, argv] = entryCommand('src/static/main.ts', args);
  const child = spawn(node, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLIPWAY_ENVIRONMENT: 'staging' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, out: () => stdout, err: () => stderr };
}

const store = path.join(root, 'store');

describe('slipway static server process', () => {
  it('refuses a build without index.html in one line naming the directory, exit 1', async () => {
    const dir = path.join(root, 'bad');
    writeBuild(dir, { 'assets/a.js': 'x' });
    const p = start(['--dir', dir, '--release', '1.0.0', '--port', String(await reservePort()), '--store', store]);
    expect(await p.exited).toBe(1);
    expect(p.err()).toBe(
      `slipway static: no index.html in build directory ${dir}: static.dir must name a build (e.g. Vite's dist/) ` +
        'with index.html at its top\n',
    );
  }, 30_000);

  it('refuses a missing directory and bad arguments', async () => {
    const missing = path.join(root, 'missing');
    const p = start(['--dir', missing, '--release', '1.0.0', '--port', '8080', '--store', store]);
    expect(await p.exited).toBe(1);
    expect(p.err()).toBe(`slipway static: build directory ${missing} does not exist\n`);
    const q = start(['--dir', missing, '--release', '1.0.0', '--store', store]);
    expect(await q.exited).toBe(2);
    expect(q.err()).toMatch(/^slipway static: --port is required \(usage: /);
  }, 30_000);

  it('serves, says what it publishes, and stops on SIGTERM with exit 0', async () => {
    const dir = path.join(root, 'good');
    const build = viteLikeBuild('1.0.0');
    writeBuild(dir, build.files);
    const port = await reservePort();
    const p = start(['--dir', dir, '--release', '1.0.0', '--port', String(port), '--store', store, '--keep', '2']);
    for (let i = 0; i < 100 && !p.out().includes(' on 127.0.0.1:'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(p.out()).toMatch(
      /^slipway static: release 1\.0\.0 \(tree [0-9a-f]{12}, 5 files, published\) on 127\.0\.0\.1:/,
    );
    const res = await request(`http://127.0.0.1:${port}/${build.script}`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe(build.files[build.script]);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 30_000);
});
