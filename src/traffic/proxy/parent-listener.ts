import net from 'node:net';
import { parseHostPort } from './address.js';
import { listenError } from './listen-error.js';
import { ProxyError } from './errors.js';

/**
 * One environment's listening socket, held by the proxy's parent process. It accepts without
 * reading (pauseOnConnect) and hands each connection to a worker, so a worker's death closes no
 * listener. Connections accepted before `route()` (a table still being pushed to the workers) wait.
 */
export class ParentListener {
  private handOff: ((socket: net.Socket) => void) | undefined;
  private readonly waiting: net.Socket[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly environment: string,
    readonly listen: string,
  ) {}

  /** Bind `listen`; rejects with ProxyError(conflict) when the address is in use. */
  static async open(environment: string, listen: string): Promise<ParentListener> {
    const address = parseHostPort(listen);
    if (!address)
      throw new ProxyError(
        'invalid_input',
        `listen address "${listen}" of environment "${environment}" is not host:port`,
      );
    const server = net.createServer({ pauseOnConnect: true, noDelay: true });
    const listener = new ParentListener(server, environment, listen);
    server.on('connection', (socket) => {
      if (listener.handOff) listener.handOff(socket);
      else listener.waiting.push(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, { environment, listen })));
      server.listen({ host: address.host, port: address.port, exclusive: true, backlog: 1024 }, () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined);
        resolve();
      });
    });
    return listener;
  }

  /** Start handing connections to the workers (the ones that waited first). */
  route(handOff: (socket: net.Socket) => void): void {
    this.handOff = handOff;
    for (const socket of this.waiting.splice(0)) handOff(socket);
  }

  /** Stop accepting. Connections already handed to workers are theirs to finish. */
  close(): void {
    for (const socket of this.waiting.splice(0)) socket.destroy();
    this.server.close();
  }
}
