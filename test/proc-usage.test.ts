import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcUsage } from '../src/runtimes/local/proc-usage.js';

/** The local runtime's /proc reading against real processes: memory a child holds counts, and CPU it burns. */
let children: ChildProcess[] = [];
afterEach(() => {
  // The whole process group: a SIGKILL of the parent alone would leave its child (and the pipe it holds) behind.
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children = [];
});

/** A node process that spawns a child holding `mb` MiB of touched memory and burning CPU; resolves when ready. */
function parentWithHungryChild(mb: number): Promise<ChildProcess> {
  const childCode =
    `const b = Buffer.alloc(${mb} * 1024 * 1024, 1); const t = Date.now(); while (Date.now() - t < 400) {}` +
    `console.log('ready'); setInterval(() => b[0]++, 1000);`;
  const parentCode =
    `const c = require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(childCode)}], ` +
    `{ stdio: ['ignore', 'inherit', 'inherit'] }); process.on('SIGTERM', () => { c.kill(); process.exit(); });` +
    `setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(parent);
  return new Promise((resolve, reject) => {
    parent.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(parent));
    parent.on('exit', () => reject(new Error('the test process exited')));
  });
}

describe('readProcUsage', () => {
  it('counts the resident memory and CPU time of the process and its children', async () => {
    const parent = await parentWithHungryChild(150);
    const usage = readProcUsage(parent.pid!, 42);
    expect(usage!.at).toBe(42);
    expect(usage!.rssBytes).toBeGreaterThan(150 * 2 ** 20); // the child's touched buffer is resident
    expect(usage!.cpuSeconds).toBeGreaterThan(0.3); // the child's 400 ms busy loop
    const alone = readProcUsage(process.pid, 0)!;
    expect(alone.rssBytes).toBeGreaterThan(10 * 2 ** 20);
  });

  it('is undefined for a process that is gone', () => {
    expect(readProcUsage(2 ** 22 + 12345, 0)).toBeUndefined();
  });
});
