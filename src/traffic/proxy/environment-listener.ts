import http from 'node:http';
import net, { type Socket } from 'node:net';
import { parseHostPort } from './address.js';
import { ProxyError } from './errors.js';
import { listenError } from './listen-error.js';
import type { ForwardOptions } from './exchange.js';
import { FastConnection, type FastHost } from './fast-connection.js';
import { rawNotImplemented, sendProxyResponse } from './proxy-response.js';
import { proxyRequest } from './proxy-request.js';
import type { CompiledTable } from './route-table.js';

/**
 * The HTTP/1.1 listener of one environment. The table is swapped in place on every apply,
 * so a route change never touches open connections. Connections start on the fast path
 * (fast-connection.ts: raw sockets, no node:http per request); a request it does not serve hands
 * its connection to the node:http server here, whose handler is the Exchange path.
 */
export class EnvironmentListener implements FastHost {
  /** Connections handed in or accepted, until they close (close() waits for them). */
  private accepted = 0;
  /** The socket bound by open() (a worker's listeners bind nothing). */
  private bound: net.Server | undefined;
  readonly connections = new Set<FastConnection>();
  closing = false;
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    /** node:http, fed the connections (or the rest of them) the fast path does not serve. */
    private readonly server: http.Server,
    /** The listen address as written in the table. */
    readonly listen: string,
    public table: CompiledTable,
    readonly options: ForwardOptions,
  ) {
    // http.Server starts tracking its connections on 'listening' (which a server that binds nothing never emits):
    // without it closeIdleConnections() does nothing and headersTimeout / requestTimeout are never enforced.
    server.emit('listening');
    this.sweeper = setInterval(() => {
      const now = performance.now();
      for (const c of this.connections) c.sweep(now);
    }, 1_000).unref();
  }

  /** Bind the table's listen address; rejects with ProxyError(conflict) when it is in use. */
  static async open(table: CompiledTable, options: ForwardOptions): Promise<EnvironmentListener> {
    const address = parseHostPort(table.listen);
    if (!address)
      throw new ProxyError(
        'invalid_input',
        `listen address "${table.listen}" of environment "${table.environment}" is not host:port`,
      );
    const listener = EnvironmentListener.serve(table, options);
    const server = net.createServer({ noDelay: true }, (socket) => listener.accept(socket));
    listener.bound = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, table));
      server.once('error', onError);
      server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) =>
          options.logger.error({ err, environment: listener.table.environment }, 'listener error'),
        );
        resolve();
      });
    });
    return listener;
  }

  /** A listener that binds nothing: a worker's, fed with the connections its parent accepted (accept()). */
  static detached(table: CompiledTable, options: ForwardOptions): EnvironmentListener {
    return EnvironmentListener.serve(table, options);
  }

  private static serve(table: CompiledTable, options: ForwardOptions): EnvironmentListener {
    // No 'upgrade' listener on purpose: Node then delivers upgrade requests to the request handler, which refuses
    // WebSockets and serves the rest (e.g. h2c probes) as HTTP/1.1.
    const server = http.createServer({ highWaterMark: responseHighWaterMark });
    const listener = new EnvironmentListener(server, table.listen, table, options);
    server.on('request', (req, res) => {
      try {
        proxyRequest(listener.table, req, res, options);
      } catch (e) {
        options.logger.error({ err: e, environment: listener.table.environment }, 'bug in the proxy request handler');
        sendProxyResponse(req, res, 500, 'internal', 'internal error in the proxy (see its log)');
      }
    });
    server.on('connect', (_req, socket: Socket) =>
      socket.end(rawNotImplemented('CONNECT is not supported by the built-in proxy')),
    );
    return listener;
  }

  /** Serve a connection accepted here or elsewhere (the parent process). */
  accept(socket: Socket): void {
    // http.Server sets this only on connections it accepts itself: without it Nagle holds small responses back.
    socket.setNoDelay(true);
    this.accepted++;
    socket.once('close', () => this.accepted--);
    if (this.closing) socket.destroy();
    else if (this.options.fastPath === false) this.server.emit('connection', socket);
    else new FastConnection(socket, this);
  }

  fallback(socket: Socket): void {
    this.server.emit('connection', socket);
  }

  /** Stop accepting; let in-flight requests finish for up to `timeoutMs`, then cut the remaining connections. */
  close(timeoutMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    this.bound?.close();
    // Stops node's connection tracking timer; it has no socket to unbind (hence the ignored error).
    this.server.close(() => undefined);
    return new Promise((resolve) => {
      const deadline = Date.now() + timeoutMs;
      const sweep = () => {
        this.server.closeIdleConnections();
        for (const c of this.connections) if (c.idle) c.socket.destroy();
        if (this.accepted <= 0) return resolve();
        if (Date.now() >= deadline) {
          this.server.closeAllConnections();
          for (const c of this.connections) c.socket.destroy();
        }
        setTimeout(sweep, 50).unref();
      };
      sweep();
    });
  }
}

/** Sockets buffer up to this much of a response before the upstream is paused: fewer pause/resume round trips for
 * large bodies than Node's default 16 KiB (bench/proxy.ts measures a 232 KB body). */
const responseHighWaterMark = 256 * 1024;
