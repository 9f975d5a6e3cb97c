import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { writeDirect } from './direct-write.js';
import { incomplete, parseResponseHead, type ResponseHead } from './http-head.js';

/**
 * The fast path's upstream connections: plain keep-alive TCP sockets, one request at a time each (no pipelining, so
 * a reset on a reused socket is known to have lost only a request the upstream never read), with the response parsed
 * here: head, then a body framed by Content-Length, chunked encoding or the connection's end.
 */

/** Largest number of idle connections kept per upstream; more are closed when released. */
const maxIdleConnections = 256;

/**
 * Every open connection, checked every 100 ms for its response and body-idle timeouts (idle ones return at once):
 * cheaper than re-arming a socket timer three times per request, and a connection joins and leaves the set once in
 * its life rather than with every request.
 */
const open = new Set<RawUpstreamConnection>();
/** Where every upstream socket reads into (onread): the process is single-threaded and reads are consumed at once. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);
let sweeper: NodeJS.Timeout | undefined;
function watch(connection: RawUpstreamConnection): void {
  open.add(connection);
  if (sweeper !== undefined) return;
  sweeper = setInterval(() => {
    const now = performance.now();
    for (const c of open) c.checkTimeout(now);
  }, 100).unref();
}

/** What a connection reports to the request it carries. */
export interface RawUser {
  /** The final response head (1xx interim responses are skipped). */
  onResponseHead(head: ResponseHead): void;
  /** Body bytes (chunked encoding already removed), valid only during the call: copy what is kept. */
  onResponseBody(data: Buffer): void;
  /** The bytes of one read have been handed over (a point to uncork and to check backpressure). */
  onResponseFlush(): void;
  /** The response is complete; the connection has gone back to its pool. */
  onResponseEnd(): void;
  /** The attempt failed; `code` as undici names it (ECONNREFUSED, UND_ERR_SOCKET, UND_ERR_HEADERS_TIMEOUT…). */
  onResponseError(code: string, message: string): void;
}

/** Timeouts of one request (ForwardOptions). */
export interface RawTimeouts {
  responseTimeoutMs: number;
  bodyIdleTimeoutMs: number;
}

enum Mode {
  Idle = 0,
  Head = 1,
  Length = 2,
  Chunked = 3,
  Close = 4,
}

enum Chunk {
  Size = 0,
  Extension = 1,
  SizeLf = 2,
  Data = 3,
  DataCr = 4,
  DataLf = 5,
  TrailerLineStart = 6,
  TrailerLine = 7,
  TrailerEndLf = 8,
}

/** One keep-alive connection to an upstream. */
export class RawUpstreamConnection {
  readonly socket: net.Socket;
  /** Responses completed on this socket: > 0 means the next request reuses it. */
  served = 0;
  private user: RawUser | undefined;
  private connecting = true;
  private mode = Mode.Idle;
  private partial: Buffer | undefined;
  private remaining = 0;
  private chunk = Chunk.Size;
  private noBody = false;
  private reusable = true;
  private timeouts: RawTimeouts = { responseTimeoutMs: 0, bodyIdleTimeoutMs: 0 };
  /** performance.now() of the request's last progress (sent, or response bytes read). */
  private activeAt = 0;

  constructor(
    private readonly pool: RawPool,
    host: string,
    port: number,
    connectTimeoutMs: number,
  ) {
    // Reads land in one shared buffer (no allocation and no stream machinery per read); whatever outlives the
    // callback is copied (a partial head here, the body by the exchange).
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number) => {
          this.onData(readBuffer.subarray(0, n));
          // Pausing goes through socket.pause() (backpressure), not this return value.
          return true;
        },
      },
    });
    this.socket.setTimeout(connectTimeoutMs);
    this.socket.on('connect', this.onConnect);
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
    this.socket.on('timeout', this.onTimeout);
    watch(this);
  }

  /**
   * Send a request (head and body already serialised). `head`: a HEAD request, whose response has no body; `keep`:
   * the connection may carry another request after this one.
   */
  send(user: RawUser, data: string | Buffer, head: boolean, keep: boolean, timeouts: RawTimeouts): void {
    this.user = user;
    this.mode = Mode.Head;
    this.noBody = head;
    this.reusable = keep;
    this.timeouts = timeouts;
    this.activeAt = performance.now();
    // A new connection's request waits in the socket's Writable until it connects; later ones go to the handle.
    writeDirect(this.socket, data);
  }

  /** The request's client went away: drop the connection (the upstream sees its request aborted). */
  abort(): void {
    if (this.user === undefined) return;
    this.user = undefined;
    this.mode = Mode.Idle;
    this.drop();
  }

  /** Stop reading (the client is not taking the response as fast as the upstream sends it). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private readonly onConnect = (): void => {
    this.connecting = false;
    this.socket.setTimeout(0);
    this.activeAt = performance.now();
  };

  private readonly onData = (data: Buffer): void => {
    if (this.user === undefined) {
      // Bytes nobody asked for (on an idle socket): the connection's state is unknown, so it goes.
      this.drop();
      return;
    }
    let buf = data;
    if (this.mode === Mode.Head) {
      if (this.partial !== undefined) {
        buf = Buffer.concat([this.partial, data]);
        this.partial = undefined;
      }
      for (;;) {
        const head = parseResponseHead(buf);
        if (head === incomplete) {
          this.partial = Buffer.from(buf);
          return;
        }
        if ('code' in head) {
          this.fail(head.code, head.message);
          return;
        }
        buf = buf.subarray(head.headEnd);
        if (head.status >= 200) {
          this.startBody(head);
          break;
        }
        // 101 was never asked for (Upgrade is not forwarded); 100 Continue and 103 Early Hints are skipped.
        if (head.status === 101) {
          this.fail('HPE_INVALID_CONSTANT', 'Response does not match the HTTP/1.1 protocol (unexpected upgrade)');
          return;
        }
      }
      const user = this.user as RawUser | undefined;
      if (user === undefined) return;
      if ((this.mode as Mode) === Mode.Idle) {
        if (buf.length > 0) this.reusable = false;
        this.complete();
        return;
      }
    }
    if (buf.length > 0) this.body(buf);
    if (this.user === undefined) return;
    this.user.onResponseFlush();
    // Progress for the body idle timeout; not taken for a response that came whole in one read (the usual case).
    if (this.user !== undefined && this.mode !== Mode.Head) this.activeAt = performance.now();
  };

  private startBody(head: ResponseHead): void {
    if (!head.keepAlive) this.reusable = false;
    if (this.noBody || head.status === 204 || head.status === 304) this.mode = Mode.Idle;
    else if (head.chunked) {
      this.mode = Mode.Chunked;
      this.chunk = Chunk.Size;
      this.remaining = 0;
    } else if (head.contentLength >= 0) {
      this.mode = head.contentLength === 0 ? Mode.Idle : Mode.Length;
      this.remaining = head.contentLength;
    } else {
      this.mode = Mode.Close;
      this.reusable = false;
    }
    this.user!.onResponseHead(head);
  }

  private body(buf: Buffer): void {
    switch (this.mode) {
      case Mode.Length: {
        const n = Math.min(this.remaining, buf.length);
        this.remaining -= n;
        this.user!.onResponseBody(n === buf.length ? buf : buf.subarray(0, n));
        if (this.remaining === 0 && this.user !== undefined) {
          if (n < buf.length) this.reusable = false;
          this.complete();
        }
        return;
      }
      case Mode.Close:
        this.user!.onResponseBody(buf);
        return;
      case Mode.Chunked:
        this.chunked(buf);
        return;
      default:
        // Bytes after a complete response: the next response would start with garbage.
        this.reusable = false;
    }
  }

  /** Decode chunked encoding; trailers are read and dropped (as the Exchange path does). */
  private chunked(buf: Buffer): void {
    let i = 0;
    const n = buf.length;
    while (i < n && this.user !== undefined) {
      const c = buf[i]!;
      switch (this.chunk) {
        case Chunk.Size: {
          const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (digit >= 0) {
            if (this.remaining > 0xffffffffff) {
              this.fail('HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size');
              return;
            }
            this.remaining = this.remaining * 16 + digit;
          } else if (c === 59 /* ; */ || c === 32 || c === 9) this.chunk = Chunk.Extension;
          else if (c === 13) this.chunk = Chunk.SizeLf;
          else {
            this.fail('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size');
            return;
          }
          i++;
          break;
        }
        case Chunk.Extension:
          if (c === 13) this.chunk = Chunk.SizeLf;
          i++;
          break;
        case Chunk.SizeLf:
          if (c !== 10) {
            this.fail('HPE_STRICT', 'Expected LF after chunk size');
            return;
          }
          this.chunk = this.remaining === 0 ? Chunk.TrailerLineStart : Chunk.Data;
          i++;
          break;
        case Chunk.Data: {
          const take = Math.min(this.remaining, n - i);
          this.user.onResponseBody(buf.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.chunk = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (c !== 13) {
            this.fail('HPE_STRICT', 'Expected CRLF after chunk data');
            return;
          }
          this.chunk = Chunk.DataLf;
          i++;
          break;
        case Chunk.DataLf:
          if (c !== 10) {
            this.fail('HPE_STRICT', 'Expected CRLF after chunk data');
            return;
          }
          this.chunk = Chunk.Size;
          i++;
          break;
        case Chunk.TrailerLineStart:
          this.chunk = c === 13 ? Chunk.TrailerEndLf : Chunk.TrailerLine;
          i++;
          break;
        case Chunk.TrailerLine:
          if (c === 10) this.chunk = Chunk.TrailerLineStart;
          i++;
          break;
        case Chunk.TrailerEndLf:
          if (c !== 10) {
            this.fail('HPE_STRICT', 'Expected LF after trailers');
            return;
          }
          i++;
          if (i < n) this.reusable = false;
          this.complete();
          return;
      }
    }
  }

  private complete(): void {
    const user = this.user!;
    this.user = undefined;
    this.mode = Mode.Idle;
    this.served++;
    if (this.reusable && !this.socket.destroyed) this.pool.release(this);
    else this.drop();
    user.onResponseEnd();
  }

  private fail(code: string, message: string): void {
    const user = this.user;
    this.user = undefined;
    this.mode = Mode.Idle;
    this.drop();
    user?.onResponseError(code, message);
  }

  private drop(): void {
    open.delete(this);
    this.socket.destroy();
    this.pool.forget(this);
  }

  private readonly onEnd = (): void => {
    if (this.mode === Mode.Close && this.user !== undefined) {
      this.user.onResponseFlush();
      this.complete();
    } else if (this.user !== undefined) this.fail('UND_ERR_SOCKET', 'other side closed');
    else this.drop();
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    // A close-delimited body may end with a reset rather than a FIN (undici counts it complete too).
    if (this.mode === Mode.Close && this.user !== undefined && err.code === 'ECONNRESET') {
      this.user.onResponseFlush();
      this.complete();
      return;
    }
    this.fail(err.code ?? 'UND_ERR_SOCKET', err.message);
  };

  private readonly onClose = (): void => {
    open.delete(this);
    if (this.user !== undefined) this.fail('UND_ERR_SOCKET', 'closed');
    else this.pool.forget(this);
  };

  /** The connect timeout (a socket timer, armed only while connecting). */
  private readonly onTimeout = (): void => {
    if (this.connecting) this.fail('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error');
  };

  /** The response did not start, or its body stalled, for longer than allowed. */
  checkTimeout(now: number): void {
    if (this.user === undefined || this.connecting) return;
    const waited = now - this.activeAt;
    if (this.mode === Mode.Head) {
      if (waited > this.timeouts.responseTimeoutMs) this.fail('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error');
    } else if (waited > this.timeouts.bodyIdleTimeoutMs) this.fail('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error');
  }
}

/** The raw connections of one upstream: most recently used first, so warm sockets get reused. */
export class RawPool {
  private readonly idle: RawUpstreamConnection[] = [];
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs: number,
  ) {}

  /** An idle connection, or a new one. */
  acquire(): RawUpstreamConnection {
    return this.idle.pop() ?? new RawUpstreamConnection(this, this.host, this.port, this.connectTimeoutMs);
  }

  /** A connection whose response completed and that can carry another request. */
  release(connection: RawUpstreamConnection): void {
    if (this.closed || this.idle.length >= maxIdleConnections) connection.socket.destroy();
    else this.idle.push(connection);
  }

  /** A connection that closed or was dropped: never hand it out again. */
  forget(connection: RawUpstreamConnection): void {
    const i = this.idle.lastIndexOf(connection);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Close every idle connection; busy ones close as their requests end. */
  destroy(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }
}
