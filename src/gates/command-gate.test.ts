import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommandGate, type CommandGateSpec } from './command-gate.js';
import { OutputTail } from './output-tail.js';

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gate = (script: string, extra: Partial<CommandGateSpec> = {}): CommandGateSpec => ({
  name: 'check',
  command: process.execPath,
  args: ['-e', script],
  cwd: dir,
  timeoutMs: 10_000,
  env: {},
  ...extra,
});

/** Running, not merely a zombie waiting for a parent (in a container, PID 1 may never reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runCommandGate', () => {
  it('passes on exit 0, with the output tail', async () => {
    const r = await runCommandGate(gate('console.log("12 tests passed")'));
    expect(r).toMatchObject({
      name: 'check',
      kind: 'command',
      outcome: 'pass',
      exitCode: 0,
      outputTail: '12 tests passed',
    });
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('fails on a non-zero exit, naming the status, with stdout and stderr in the tail', async () => {
    const r = await runCommandGate(
      gate('console.log("ran 3"); console.error("1 failed: quote rounding"); process.exit(3)'),
    );
    expect(r.outcome).toBe('fail');
    expect(r.exitCode).toBe(3);
    expect(r.message).toMatch(/^gate "check" failed: .* exited with status 3$/);
    expect(r.outputTail).toContain('ran 3');
    expect(r.outputTail).toContain('1 failed: quote rounding');
  });

  it('keeps only the last ~4 KB of a long output, starting at a whole line', async () => {
    const r = await runCommandGate(
      gate('for (let i = 0; i < 5000; i++) console.log("line " + i); process.exitCode = 1'),
    );
    expect(Buffer.byteLength(r.outputTail!)).toBeLessThanOrEqual(4096);
    expect(r.outputTail!.endsWith('line 4999')).toBe(true);
    expect(r.outputTail!.split('\n')[0]).toMatch(/^line \d+$/);
  });

  it('kills the whole process group on timeout, and says so', async () => {
    // The child starts a grandchild that would outlive it, prints its pid, then hangs.
    const script =
      `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, ` +
      `1000)'], { stdio: 'ignore' }); console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);`;
    // 3 s: long enough for a loaded machine to start node twice and print the pid before the timeout.
    const r = await runCommandGate(gate(script, { timeoutMs: 3000 }));
    expect(r.outcome).toBe('fail');
    expect(r.message).toMatch(/^gate "check" timed out after 3\.00s .*; its processes were killed$/);
    expect(r.detail).toMatchObject({ timedOut: true, timeoutMs: 3000 });
    expect(r.exitCode).toBeUndefined();
    const grandchild = Number(/grandchild (\d+)/.exec(r.outputTail!)![1]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(grandchild)).toBe(false);
  }, 15_000);

  it('does not hand Slipway secrets to the command, but does pass its own env', async () => {
    const r = await runCommandGate(
      gate('console.log(String(process.env.SLIPWAY_TOKEN) + " " + process.env.GATE_MODE)', {
        env: { GATE_MODE: 'strict' },
      }),
      {
        parentEnv: { ...process.env, SLIPWAY_TOKEN: 'swt_secret' },
      },
    );
    expect(r.outputTail).toBe('undefined strict');
  });

  it('is an error, not a failure, when the program or the working directory is missing', async () => {
    const missing = await runCommandGate(gate('', { command: 'no-such-program-slipway', args: [] }));
    expect(missing).toMatchObject({
      outcome: 'error',
      message:
        `gate "check" could not start: program "no-such-program-slipway" not found (on PATH or relative to ` +
        `${dir})`,
    });
    const noDir = await runCommandGate(gate('', { cwd: path.join(dir, 'nope') }));
    expect(noDir).toMatchObject({
      outcome: 'error',
      message: `gate "check": working directory ${path.join(dir, 'nope')} does not exist`,
    });
  });

  it('stops the command when the deployment is interrupted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await runCommandGate(gate('setInterval(() => {}, 1000)'), { signal: controller.signal });
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(/was interrupted/);
  });
});

describe('OutputTail', () => {
  it('keeps everything under the limit and trims trailing whitespace', () => {
    const tail = new OutputTail(100);
    tail.push(Buffer.from('a\n'));
    tail.push(Buffer.from('b\n\n'));
    expect(tail.text()).toBe('a\nb');
  });

  it('drops whole chunks and partial lines past the limit', () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from('first line\n'));
    tail.push(Buffer.from('xx\nlast\n'));
    expect(tail.text()).toBe('xx\nlast'); // the cut fell inside "first line"
    tail.push(Buffer.from('0123456789'));
    expect(tail.text()).toBe('0123456789'); // the cut fell right after a newline: nothing to drop
    tail.push(Buffer.from('abc'));
    expect(tail.text()).toBe('3456789abc'); // no newline in the window: the bytes as they are
  });
});
