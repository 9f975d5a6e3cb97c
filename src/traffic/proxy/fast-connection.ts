import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { writeDirect } from './direct-write.js';
import type { ForwardOptions } from './exchange.js';
import { FastExchange, type FastClient } from './fast-exchange.js';
import { keepAliveTimeoutMs, rawProxyResponse } from './fast-response.js';
import { clientAddressOf, readReleaseCookie } from './headers.js';
import { fallback, incomplete, type HeadError } from './http-head.js';
import { chooseReleaseSet } from './release-choice.js';
import { parseRequestHead, type RequestHead } from './request-head.js';
import { maxBufferedBodyBytes } from './request-body.js';
import { matchRoute, type CompiledTable } from './route-table.js';
import { readIntoSharedBuffer } from './user-buffer-socket.js';

/** What a fast connection needs from its environment's listener (environment-listener.ts). */
export interface FastHost {
  /** The table as of now (swapped in place on every apply). */
  readonly table: CompiledTable;
  readonly options: ForwardOptions;
  /** The listener is closing: connections end after their current response. */
  readonly closing: boolean;
  readonly connections: Set<FastConnection>;
  /** Serve this connection with node:http from now on (the unserved bytes have been put back). */
  fallback(socket: Socket): void;
}

/** A client that sends this much ahead of the response it waits for (pipelining) is not read until it is answered. */
const maxBufferedAhead = maxBufferedBodyBytes + 64 * 1024;
/** A request whose head or body is not complete this long after the connection started waiting: 408. */
const requestTimeoutMs = 60_000;
const requestTimeoutResponse = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/**
 * One client connection on the fast path: request heads parsed here, one request forwarded at a time (pipelined
 * requests wait in the buffer, so answers go out in order), each to an upstream chosen exactly as proxy-request.ts
 * chooses. A request the fast path does not serve (see http-head.ts; no route; no available instance) hands the
 * connection, from that request on, to node:http and the Exchange path.
 */
export class FastConnection implements FastClient {
  private chunks: Buffer[] = [];
  private total = 0;
  private exchange: FastExchange | undefined;
  /** Bytes the current request needs (head + body) before it can go out; 0 once sent. */
  private needed = 0;
  private ended = false;
  private gone = false;
  private readingPaused = false;
  /** performance.now() when the connection started waiting for the client; -1 while a request is forwarded. */
  waitingSince: number;
  private readonly clientAddress: string;
  /** `chunks` may hold bytes of the shared read buffer (user-buffer-socket.ts), overwritten by the next read. */
  private borrowed = false;
  readonly socket: Socket;

  constructor(
    received: Socket,
    private readonly host: FastHost,
  ) {
    this.clientAddress = clientAddressOf(received.remoteAddress);
    this.waitingSince = performance.now();
    host.connections.add(this);
    const shared = readIntoSharedBuffer(received, this.onSharedRead);
    this.socket = shared ?? received;
    const socket = this.socket;
    if (shared === undefined) socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
  }

  /** Idle (no request in progress, nothing buffered): safe to close. */
  get idle(): boolean {
    return this.exchange === undefined && this.total === 0;
  }

  /** Called about once a second by the listener: enforce the keep-alive and request timeouts. */
  sweep(now: number): void {
    if (this.waitingSince < 0 || this.gone) return;
    const waited = now - this.waitingSince;
    if (this.idle) {
      if (waited > keepAliveTimeoutMs) this.socket.destroy();
    } else if (waited > requestTimeoutMs) {
      this.gone = true;
      this.exchange = undefined;
      this.socket.end(requestTimeoutResponse, 'latin1');
    }
  }

  write(data: Buffer): void {
    writeDirect(this.socket, data, this.onDrain);
  }

  exchangeDone(last: boolean, now: number): void {
    this.exchange = undefined;
    if (this.gone) return;
    if (last || (this.total === 0 && this.host.closing)) {
      this.gone = true;
      this.socket.end();
      return;
    }
    this.waitingSince = now;
    if (this.readingPaused) {
      this.readingPaused = false;
      this.socket.resume();
    }
    if (this.total > 0) this.process();
  }

  /** A read into the shared buffer: served at once; what must wait for more bytes is copied out of it. */
  private readonly onSharedRead = (chunk: Buffer): void => {
    this.onData(chunk);
    if (this.borrowed) {
      this.borrowed = false;
      if (this.total > 0) this.chunks = [Buffer.from(this.contiguous())];
    }
  };

  private readonly onData = (chunk: Buffer): void => {
    // Closing (refused, timed out, last response sent): what the client still sends is not read into memory.
    if (this.gone) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
    this.borrowed = true;
    if (this.exchange === undefined) this.process();
    else if (this.needed > 0) {
      if (this.total >= this.needed) this.send();
    } else if (this.total > maxBufferedAhead && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    }
  };

  /** Serve what is buffered: the next request's head, if complete. */
  private process(): void {
    while (this.exchange === undefined && this.total > 0 && !this.gone) {
      const buf = this.contiguous();
      const parsed = parseRequestHead(buf, maxBufferedBodyBytes);
      if (parsed === incomplete) return;
      if (parsed === fallback) {
        this.handOff();
        return;
      }
      if ('message' in parsed) {
        this.refuse(parsed);
        return;
      }
      try {
        if (!this.begin(parsed)) {
          this.handOff();
          return;
        }
      } catch (e) {
        this.host.options.logger.error({ err: e, environment: this.host.table.environment }, 'bug in the fast path');
        this.gone = true;
        this.socket.end(
          rawProxyResponse(
            { ...parsed, keepAlive: false },
            500,
            'internal',
            'internal error in the proxy (see its log)',
          ),
        );
        return;
      }
    }
  }

  /** Route the request and start its exchange; false when node:http must answer it (404, 503). */
  private begin(head: RequestHead): boolean {
    const table = this.host.table;
    const route = matchRoute(table, head.host, head.target);
    if (route === undefined) return false;
    const now = Date.now();
    const target = head.release?.trim();
    const cookie = target === undefined ? readReleaseCookie(head.cookie) : undefined;
    const set = chooseReleaseSet(route, now, target ?? cookie);
    const upstream = set?.pickUpstream(now);
    if (set === undefined || upstream === undefined) return false;
    // Sticky routes remember the release in a cookie unless the request named one in the header.
    const stickyCookie = route.sticky && target === undefined ? (cookie ?? '') : null;
    this.exchange = new FastExchange(
      this,
      head,
      table,
      route,
      set,
      upstream,
      stickyCookie,
      this.host.options,
      this.clientAddress,
    );
    this.needed = head.headEnd + Math.max(head.contentLength, 0);
    if (this.total >= this.needed) this.send();
    return true;
  }

  /** The request is complete in the buffer: take it out and send it. */
  private send(): void {
    const needed = this.needed;
    this.needed = 0;
    this.waitingSince = -1;
    const buf = this.contiguous();
    if (buf.length > needed) {
      this.chunks = [buf.subarray(needed)];
      this.total = buf.length - needed;
    } else {
      this.chunks = [];
      this.total = 0;
    }
    // The request is copied out of `buf` (which may be the shared read buffer) before anything else reads.
    this.exchange!.start(buf);
  }

  /** 400 / 431 naming what is wrong, then close (the rest of the stream cannot be trusted). */
  private refuse(error: HeadError): void {
    this.gone = true;
    const failure = error.status === 431 ? 'too_large' : 'bad_request';
    this.socket.end(
      rawProxyResponse({ method: 'GET', accept: undefined, keepAlive: false }, error.status, failure, error.message),
    );
  }

  /** Give the connection to node:http, starting with the request not served here. */
  private handOff(): void {
    const socket = this.socket;
    this.gone = true;
    this.host.connections.delete(this);
    // Bytes cannot be put back after the stream ended; a client that already closed its side gets nothing more.
    if (this.ended) {
      socket.destroy();
      return;
    }
    socket.pause();
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.off('drain', this.onDrain);
    const rest = this.contiguous();
    this.chunks = [];
    this.total = 0;
    // A copy: the bytes may be the shared read buffer's.
    if (rest.length > 0) socket.unshift(Buffer.from(rest));
    this.host.fallback(socket);
    // node:http reads the socket from its own 'data' listener, which does not restart a paused stream.
    socket.resume();
  }

  private contiguous(): Buffer {
    const chunks = this.chunks;
    if (chunks.length === 1) return chunks[0]!;
    const buf = Buffer.concat(chunks, this.total);
    this.chunks = [buf];
    return buf;
  }

  private readonly onEnd = (): void => {
    this.ended = true;
    if (this.gone) return;
    // As node:http (httpAllowHalfOpen false): a client that closed its side aborts the request in progress.
    this.gone = true;
    const exchange = this.exchange;
    this.exchange = undefined;
    exchange?.clientGone();
    this.socket.end();
  };

  private readonly onError = (): void => {
    // 'close' follows; the exchange learns of it there.
  };

  private readonly onClose = (): void => {
    this.gone = true;
    this.host.connections.delete(this);
    const exchange = this.exchange;
    this.exchange = undefined;
    exchange?.clientGone();
  };

  private readonly onDrain = (): void => {
    this.exchange?.onClientDrain();
  };
}
