import net from 'node:net';
import { HaproxyError } from './errors.js';

/**
 * One command on HAProxy's master CLI (a unix socket): connect, send the line, read until HAProxy
 * closes. A socket that is gone or refuses is `unavailable`, in one line naming the socket.
 */
export function cliCommand(socket: string, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const conn = net.createConnection({ path: socket });
    const timer = setTimeout(() => {
      conn.destroy();
      reject(
        new HaproxyError('unavailable', `HAProxy's master socket ${socket} did not answer within ${timeoutMs} ms`, {
          socket,
        }),
      );
    }, timeoutMs);
    conn.on('connect', () => conn.end(`${command}\n`));
    conn.on('data', (c: Buffer) => chunks.push(c));
    conn.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new HaproxyError(
          'unavailable',
          `HAProxy's master socket ${socket} is not answering (${e.code ?? e.message}); is haproxy running?`,
          { socket, cause: e.code },
        ),
      );
    });
    conn.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
