import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, isPortFree, reusePortOrFind } from './port.js';

describe('loopback ports', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function occupy(port: number): Promise<void> {
    server = createServer();
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(port, '127.0.0.1', resolve));
  }

  it('finds a port that can be bound, and knows when it is taken', async () => {
    const port = await findFreePort();
    expect(await isPortFree(port)).toBe(true);
    await occupy(port);
    expect(await isPortFree(port)).toBe(false);
    const other = await reusePortOrFind(port);
    expect(other).not.toBe(port);
    expect(await isPortFree(other)).toBe(true);
  });

  it('reuses a free preferred port unless another instance holds it', async () => {
    const port = await findFreePort();
    expect(await reusePortOrFind(port)).toBe(port);
    expect(await reusePortOrFind(port, new Set([port]))).not.toBe(port);
  });
});
