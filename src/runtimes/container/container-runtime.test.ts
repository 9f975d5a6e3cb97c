import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureSpec } from '../../../test/support/local-runtime.js';
import { ContainerRuntime } from './container-runtime.js';
import { rootfsFiles } from './images.js';

const dir = mkdtempSync(join(tmpdir(), 'container-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('container runtime without an engine', () => {
  it('a socket where no engine answers: start rejects unavailable, naming the socket', async () => {
    writeFileSync(join(dir, 'server.js'), '');
    const socketPath = join(dir, 'no-docker.sock');
    const runtime = new ContainerRuntime({ socketPath, baseImage: 'slipway-node:test' });
    const error = await runtime.start(fixtureSpec({ cwd: dir })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining(socketPath) });
    await runtime.close();
  });

  it('the base image holds node and every library ldd lists for it, with the loader', async () => {
    const files = await rootfsFiles(process.execPath);
    expect(files[0]).toBe(process.execPath.slice(1));
    expect(files.some((f) => /ld-linux/.test(f))).toBe(true);
    expect(files.some((f) => /libc\.so/.test(f))).toBe(true);
    expect(files.every((f) => !f.startsWith('/'))).toBe(true);
  });
});
