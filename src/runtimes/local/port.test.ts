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

  it('with a range, gives only ports of it, and says plainly when all are taken', async () => {
    // Three consecutive ports nothing listens on.
    let from = 0;
    for (let p = await findFreePort(); !from; p = await findFreePort())
      if (p < 65000 && (await isPortFree(p + 1)) && (await isPortFree(p + 2))) from = p;
    const range = { from, to: from + 2 };
    const got = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const port = await findFreePort(got, range);
      expect(port).toBeGreaterThanOrEqual(range.from);
      expect(port).toBeLessThanOrEqual(range.to);
      got.add(port);
    }
    expect(got.size).toBe(3);
    await expect(findFreePort(got, range)).rejects.toThrow(
      `no free port in ${range.from}-${range.to} (runtime.ports): all 3 are in use; widen the range in slipway.yaml`,
    );
    // A preferred port outside the range is not reused.
    const outside = await findFreePort();
    if (outside < range.from || outside > range.to)
      expect(await reusePortOrFind(outside, new Set(), { from: range.from, to: range.from })).toBe(range.from);
  });
});
