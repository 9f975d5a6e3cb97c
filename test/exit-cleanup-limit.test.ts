import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { alive } from '../src/traffic/proxy/pid-file.js';
import { repoRoot } from './support/entry.js';

// As the npm scripts run TypeScript (bench/support.ts says why not through tsx's CLI).
const tsx = ['--import', 'tsx'];

describe('exit cleanup', () => {
  it('a cleanup that hangs past the limit still ends the process and kills what it started', async () => {
    const tag = `hanging-cleanup-${process.pid}-${Date.now()}`;
    const command = spawn(process.execPath, [...tsx, 'test/fixtures/hanging-cleanup.ts'], {
      cwd: repoRoot,
      env: { ...process.env, SLIPWAY_RUN: tag },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    command.stderr!.on('data', (d) => (err += d));
    const childPid = await new Promise<number>((resolve, reject) => {
      command.stdout!.on('data', (d) => {
        out += d;
        const m = /child (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      command.once('exit', () => reject(new Error(`fixture exited before starting its child: ${err}`)));
    });
    try {
      expect(alive(childPid)).toBe(true);
      const exited = new Promise<number | null>((r) => command.once('exit', (code) => r(code)));
      command.kill('SIGTERM');
      expect(await exited).toBe(143);
      expect(err).toMatch(/cleanup did not finish within 500 ms/);
      // SIGKILLed by the safety net; its parent is gone, so init reaps it and the pid disappears.
      const deadline = Date.now() + 5000;
      while (alive(childPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive(childPid)).toBe(false);
    } finally {
      command.kill('SIGKILL');
      try {
        process.kill(childPid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  }, 30_000);
});
