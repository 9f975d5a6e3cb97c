import { createServer } from 'node:net';

/** Can this process listen on host:port right now? (Checked before starting anything, to fail fast.) */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
