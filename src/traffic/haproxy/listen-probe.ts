import net from 'node:net';
import { parseHostPort } from '../proxy/address.js';
import { HaproxyError } from './errors.js';

/**
 * Is a listen address free? HAProxy only finds out when a reload binds it, and a failed reload
 * leaves the master waiting; so a new address is tried here first (the race left is milliseconds).
 */
export async function probeListen(listen: string): Promise<void> {
  const address = parseHostPort(listen)!;
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(new HaproxyError('conflict', `listen address ${listen} is in use by another process`, { listen }));
      else
        reject(
          new HaproxyError('invalid_input', `listen address ${listen} cannot be bound here (${e.code})`, { listen }),
        );
    });
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** "127.0.0.1:80" and "[::1]:80" compare as written once parsed. */
export function sameListen(a: string, b: string): boolean {
  const x = parseHostPort(a);
  const y = parseHostPort(b);
  return x !== undefined && y !== undefined && x.host.toLowerCase() === y.host.toLowerCase() && x.port === y.port;
}
