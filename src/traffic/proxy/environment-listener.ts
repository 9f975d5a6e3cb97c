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
    // No 'upgrade' listener on purpose: Node then delivers upgrade requests to the request handler, which refuses
    // WebSockets and serves the rest (e.g. h2c probes) as HTTP/1.1.
    const server = http.createServer();
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

  /** Stop accepting; let in-flight requests finish for up to `timeoutMs`, then cut the remaining connections. */
  close(timeoutMs: number): Promise<void> {
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
}

function listenError(err: NodeJS.ErrnoException, table: CompiledTable): ProxyError {
  const where = `listen address ${table.listen} of environment "${table.environment}"`;
  const details = { environment: table.environment, listen: table.listen, code: err.code };
  if (err.code === 'EADDRINUSE') return new ProxyError('conflict', `${where} is already in use`, details);
  if (err.code === 'EACCES')
    return new ProxyError('invalid_input', `${where}: permission denied (ports below 1024 need privileges)`, details);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return new ProxyError('invalid_input', `${where} is not an address of this machine`, details);
  return new ProxyError('unavailable', `${where} could not be opened: ${err.message}`, details);
}
