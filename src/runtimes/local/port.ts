import { createServer } from 'node:net';
import { RuntimeError } from './errors.js';

/** Instances only ever listen on loopback: the proxy is what faces the network. */
export const loopback = '127.0.0.1';

/** Try to bind `port` on loopback (0 = let the kernel pick); resolves the bound port, or undefined if taken. */
function bind(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
      else reject(err);
    });
    server.listen({ port, host: loopback, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** Whether nothing listens on loopback `port` right now. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await bind(port)) === port;
}

/** Ports instances may take: any free one, or those of a configured range (runtime.ports). */
export interface PortRange {
  from: number;
  to: number;
}

/**
 * A free loopback port: bind port 0 (or, with a range, each port of it from a random start),
 * read it, close. `exclude` holds ports handed to other instances that may not be listening yet,
 * so two quick starts never get the same port.
 */
export async function findFreePort(exclude: ReadonlySet<number> = new Set(), range?: PortRange): Promise<number> {
  if (range) return findInRange(range, exclude);
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bind(0);
    if (port !== undefined && !exclude.has(port)) return port;
  }
  throw new Error('no free loopback port after 20 attempts');
}

async function findInRange(range: PortRange, exclude: ReadonlySet<number>): Promise<number> {
  const size = range.to - range.from + 1;
  // A random start spreads concurrent starts over the range instead of all racing for the first port.
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.from + ((start + i) % size);
    if (!exclude.has(port) && (await bind(port)) === port) return port;
  }
  throw new RuntimeError(
    'unavailable',
    `no free port in ${range.from}-${range.to} (runtime.ports): all ${size} are in use; widen the range in ` +
      `slipway.yaml`,
  );
}

/** `preferred` when it is still free (a restart keeps its address) and allowed, otherwise a new free port. */
export async function reusePortOrFind(
  preferred: number,
  exclude: ReadonlySet<number> = new Set(),
  range?: PortRange,
): Promise<number> {
  const allowed = !range || (preferred >= range.from && preferred <= range.to);
  if (allowed && !exclude.has(preferred) && (await isPortFree(preferred))) return preferred;
  return findFreePort(exclude, range);
}
