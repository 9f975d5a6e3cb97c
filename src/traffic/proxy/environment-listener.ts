import http from 'node:http';
import type { Socket } from 'node:net';
import { parseHostPort } from './address.js';
import { ProxyError } from './errors.js';
import type { ForwardOptions } from './exchange.js';
import { rawNotImplemented, sendProxyResponse } from './proxy-response.js';
import { proxyRequest } from './proxy-request.js';
import type { CompiledTable } from './route-table.js';

/**
 * The HTTP/1.1 listener of one environment. The table is swapped in place on every apply,
 * so a route change never touches open connections.
 */
export class EnvironmentListener {
  /** Connections handed in through accept() (a worker's), which server.close() does not wait for. */
  private accepted = 0;
  private detached = false;

  private constructor(
    private readonly server: http.Server,
    /** The listen address as written in the table. */
    readonly listen: string,
    public table: CompiledTable,
  ) {}

  /** Bind the table's listen address; rejects with ProxyError(conflict) when it is in use. */
  static async open(table: CompiledTable, options: ForwardOptions): Promise<EnvironmentListener> {
    const address = parseHostPort(table.listen);
    if (!address)
      throw new ProxyError(
        'invalid_input',
        `listen address "${table.listen}" of environment "${table.environment}" is not host:port`,
      );
    const listener = EnvironmentListener.serve(table, options);
    const server = listener.server;
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
    const listener = EnvironmentListener.serve(table, options);
    listener.detached = true;
    // http.Server starts tracking its connections on 'listening' (which a server that binds nothing never emits):
    // without it closeIdleConnections() does nothing and headersTimeout / requestTimeout are never enforced.
    listener.server.emit('listening');
    return listener;
  }

  private static serve(table: CompiledTable, options: ForwardOptions): EnvironmentListener {
    // No 'upgrade' listener on purpose: Node then delivers upgrade requests to the request handler, which refuses
    // WebSockets and serves the rest (e.g. h2c probes) as HTTP/1.1.
    const server = http.createServer({ highWaterMark: responseHighWaterMark });
    const listener = new EnvironmentListener(server, table.listen, table);
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

  /** Serve a connection accepted elsewhere (the parent process). */
  accept(socket: Socket): void {
    // http.Server sets this only on connections it accepts itself: without it Nagle holds small responses back.
    socket.setNoDelay(true);
    this.accepted++;
    socket.once('close', () => this.accepted--);
    this.server.emit('connection', socket);
  }

  /** Stop accepting; let in-flight requests finish for up to `timeoutMs`, then cut the remaining connections. */
  close(timeoutMs: number): Promise<void> {
    if (this.detached) return this.closeDetached(timeoutMs);
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      // Idle keep-alive connections would hold close() open; sweep them as requests finish.
      const sweep = setInterval(() => this.server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => this.server.closeAllConnections(), timeoutMs);
      this.server.close(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  /** Nothing to unbind: close idle connections as their requests finish, cut the rest at the deadline. */
  private closeDetached(timeoutMs: number): Promise<void> {
    // Stops the connection tracking timer; there is no socket to unbind (hence the ignored error).
    this.server.close(() => undefined);
    return new Promise((resolve) => {
      const deadline = Date.now() + timeoutMs;
      const sweep = () => {
        this.server.closeIdleConnections();
        if (this.accepted <= 0) return resolve();
        if (Date.now() >= deadline) this.server.closeAllConnections();
        setTimeout(sweep, 50).unref();
      };
      sweep();
    });
  }
}

/** Sockets buffer up to this much of a response before the upstream is paused: fewer pause/resume round trips for
 * large bodies than Node's default 16 KiB (bench/proxy.ts measures a 232 KB body). */
const responseHighWaterMark = 256 * 1024;

/** A bind failure as the admin API reports it (409 when the address is taken). */
export function listenError(err: NodeJS.ErrnoException, table: { environment: string; listen: string }): ProxyError {
  const where = `listen address ${table.listen} of environment "${table.environment}"`;
  const details = { environment: table.environment, listen: table.listen, code: err.code };
  if (err.code === 'EADDRINUSE') return new ProxyError('conflict', `${where} is already in use`, details);
  if (err.code === 'EACCES')
    return new ProxyError('invalid_input', `${where}: permission denied (ports below 1024 need privileges)`, details);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return new ProxyError('invalid_input', `${where} is not an address of this machine`, details);
  return new ProxyError('unavailable', `${where} could not be opened: ${err.message}`, details);
}
