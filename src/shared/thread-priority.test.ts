import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';

const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
const mod = JSON.stringify(new URL('./thread-priority.ts', import.meta.url).href);
// A thread that lowers its own priority, says by how much and which thread it is, then waits to be ended.
const probe = `
const { parentPort } = require('node:worker_threads');
import(${api})
  .then(({ tsImport }) => tsImport(${mod}, ${mod}))
  .then((m) => {
    const nice = m.lowerThisThread(5);
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    parentPort.postMessage({ nice, tid });
  });
`;

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

describe('lowerThisThread', () => {
  it('lowers the calling thread only, not the thread that started it', async () => {
    const before = getPriority();
    worker = new Worker(probe, { eval: true });
    const { nice, tid } = await new Promise<{ nice: number | undefined; tid: number }>((resolve, reject) => {
      worker!.once('message', resolve);
      worker!.once('error', reject);
    });
    expect(tid).not.toBe(process.pid);
    expect(nice).toBe(Math.min(19, before + 5));
    expect(getPriority(tid)).toBe(nice);
    // This thread (the process's first: its id is the pid) keeps its priority.
    expect(getPriority()).toBe(before);
    expect(getPriority(process.pid)).toBe(before);
  });
});
