import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerRuntime } from '../src/runtimes/container/index.js';
import { describeRuntimeContract } from '../src/runtimes/runtime.contract.js';
import { containerAlive, containerSubject } from './support/container-contract.js';
import { dockerOn, useDockerEngine, type TestEngine } from './support/docker.js';
import { fixtureScript, fixtureSpec, waitFor } from './support/local-runtime.js';

/**
 * The Runtime contract (src/runtimes/runtime.contract.ts) against the container runtime, with a real
 * dockerd (test/support/docker.ts) and the fixture instance in an image built on this machine's node.
 */

let engine: TestEngine;
const work = mkdtempSync(join(tmpdir(), 'container-contract-'));
/** One release directory shared by every instance: one image, built once. */
const release = join(work, 'release');
const gone = join(work, 'release-gone');
beforeAll(async () => {
  engine = await useDockerEngine();
  mkdirSync(release);
  copyFileSync(fixtureScript, join(release, 'instance-server.mjs'));
}, 120_000);
afterAll(async () => {
  await engine?.release();
  rmSync(work, { recursive: true, force: true });
});

const docker = (...args: string[]) => dockerOn(engine, ...args);

describeRuntimeContract(
  'container',
  async () =>
    containerSubject({
      engine,
      release,
      gone,
      // fixtureSpec's: the SSH host contract runs its own on the same dockerd, under another environment.
      environment: 'test',
      create: () =>
        new ContainerRuntime({ socketPath: engine.socketPath, pollMs: 200, memoryBytes: () => 128 * 2 ** 20 }),
    }),
  { quietMs: 1000, timeoutMs: 30_000 },
);

describe('container runtime housekeeping', () => {
  it('keeps a stopped container for its logs only keepStoppedMs, then removes it (never a running one)', async () => {
    const runtime = new ContainerRuntime({ socketPath: engine.socketPath, pollMs: 100, keepStoppedMs: 500 });
    const [a, b] = [
      fixtureSpec({ cwd: release, args: ['instance-server.mjs'] }),
      fixtureSpec({ cwd: release, args: ['instance-server.mjs'] }),
    ];
    try {
      const stopped = await runtime.start(a);
      const kept = await runtime.start(b);
      await runtime.stop(a.instanceId);
      expect(docker('ps', '-aq', '--no-trunc', '--filter', `id=${stopped.containerId}`)).not.toBe('');
      await waitFor(
        'the stopped container to be removed',
        () => !docker('ps', '-aq', '--filter', `id=${stopped.containerId}`),
        30_000,
      );
      expect(containerAlive(engine, kept)).toBe(true);
    } finally {
      await runtime.close();
      // Its own two only: other files run containers of project demo on the same dockerd.
      const mine = [a, b]
        .map((spec) => docker('ps', '-aq', '--filter', `label=dev.slipway.instance=${spec.instanceId}`))
        .filter(Boolean);
      if (mine.length > 0) docker('rm', '-f', ...mine);
    }
  }, 60_000);
});
