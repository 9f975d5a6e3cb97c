import { describe, expect, it } from 'vitest';
import {
  fallback,
  HeaderKind,
  headEndIn,
  incomplete,
  lineFields,
  maxHeadBytes,
  parseResponseHead,
  type ResponseHead,
  responseRawHeaders,
} from './http-head.js';
import { parseRequestHead, requestRawHeaders } from './request-head.js';

const limit = 256 * 1024;
const req = (text: string) => parseRequestHead(Buffer.from(text, 'latin1'), limit);

describe('parseRequestHead', () => {
  it('reads the request line and the headers routing needs, keeping names and repeats as sent', () => {
    const text =
      'POST /api/orders?x=1 HTTP/1.1\r\nHost: Shop.Test:8080\r\nContent-Length: 11\r\nCookie: a=1\r\n' +
      'cookie: slipway-release=2.0.0\r\nX-Slipway-Release:  candidate \r\nAccept: text/html\r\n\r\n{"quote":1}';
    const head = req(text);
    expect(head).toMatchObject({
      method: 'POST',
      target: '/api/orders?x=1',
      minor: 1,
      host: 'Shop.Test:8080',
      contentLength: 11,
      keepAlive: true,
      cookie: 'a=1; slipway-release=2.0.0',
      release: 'candidate',
      accept: 'text/html',
    });
    if (typeof head !== 'object' || 'message' in head) throw new Error('not a head');
    expect(requestRawHeaders(head, Buffer.from(text, 'latin1')).slice(0, 4)).toEqual([
      'Host',
      'Shop.Test:8080',
      'Content-Length',
      '11',
    ]);
    expect(head.headEnd).toBe(text.indexOf('{'));
  });

  it('knows when the connection stays open (HTTP/1.1 unless close, HTTP/1.0 only with keep-alive)', () => {
    const keep = (text: string) => (req(text) as { keepAlive: boolean }).keepAlive;
    expect(keep('GET / HTTP/1.1\r\n\r\n')).toBe(true);
    expect(keep('GET / HTTP/1.1\r\nConnection: Close\r\n\r\n')).toBe(false);
    expect(keep('GET / HTTP/1.0\r\n\r\n')).toBe(false);
    expect(keep('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')).toBe(true);
  });

  it('takes close and keep-alive only from Connection, and a Content-Length only of digits', () => {
    const keep = (text: string) => (req(text) as { keepAlive: boolean }).keepAlive;
    expect(keep('GET / HTTP/1.1\r\nUser-Agent: close\r\n\r\n')).toBe(true);
    expect(keep('GET / HTTP/1.0\r\nUser-Agent: keep-alive\r\n\r\n')).toBe(false);
    expect(keep('GET / HTTP/1.1\r\nConnection: close\r\n\r\n')).toBe(false);
    for (const bad of ['+5', '5 0', '1e3', '0x10', '-1', ''])
      expect(req(`POST / HTTP/1.1\r\nContent-Length: ${bad}\r\n\r\n`)).toBe(fallback);
    expect(req('POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n')).toMatchObject({ contentLength: 7 });
    expect(req(`POST / HTTP/1.1\r\nContent-Length: ${'9'.repeat(16)}\r\n\r\n`)).toBe(fallback);
  });

  it('waits for the rest of a head split across reads', () => {
    expect(req('GET / HTTP/1.1\r\nHost: a\r\n')).toBe(incomplete);
    expect(req('GET / HTT')).toBe(incomplete);
  });

  it('leaves what node:http must decide to node:http', () => {
    for (const text of [
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      'POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n',
      `POST / HTTP/1.1\r\nContent-Length: ${limit + 1}\r\n\r\n`,
      'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'CONNECT host:443 HTTP/1.1\r\n\r\n',
      'PROPFIND / HTTP/1.1\r\n\r\n',
      'GET http://shop.test/ HTTP/1.1\r\n\r\n',
      'GET / HTTP/2.0\r\n\r\n',
      'POST /x/.slipway/rum HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}',
      'GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n',
      '\r\nGET / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\nHost: a\n\n',
    ])
      expect(req(text), JSON.stringify(text)).toBe(fallback);
  });

  it('refuses a malformed head with a message naming what is wrong', () => {
    const cases: [string, string][] = [
      ['GET / HTTP/1.1\r\nno colon\r\n\r\n', 'malformed header line (no ":")'],
      ['GET / HTTP/1.1\r\n: empty\r\n\r\n', 'malformed header line (empty name)'],
      ['GET / HTTP/1.1\r\nBad Name: x\r\n\r\n', 'malformed header name'],
      ['GET / HTTP/1.1\r\nX: a\u0001b\r\n\r\n', 'control character in a header value'],
      ['GET /a b HTTP/1.1\r\n\r\n', 'malformed request line (expected "METHOD /path HTTP/1.1")'],
      ['GET\r\n\r\n', 'malformed request line (expected "METHOD /path HTTP/1.1")'],
      ['G(T / HTTP/1.1\r\n\r\n', 'malformed request line: invalid method'],
      ['GET / FTP/1.1\r\n\r\n', 'malformed request line: the version is not HTTP/1.x'],
    ];
    for (const [text, message] of cases) expect(req(text), JSON.stringify(text)).toEqual({ status: 400, message });
  });

  it('refuses a head larger than node:http accepts with 431, complete or not', () => {
    const big = `GET / HTTP/1.1\r\nX-Big: ${'x'.repeat(maxHeadBytes)}`;
    const error = { status: 431, message: `request head larger than ${maxHeadBytes} bytes` };
    expect(req(big)).toEqual(error);
    expect(req(`${big}\r\n\r\n`)).toEqual(error);
  });
});

describe('parseResponseHead', () => {
  const res = (text: string) => parseResponseHead(Buffer.from(text, 'latin1'));

  it('takes close only from Connection, and a Content-Length only of digits', () => {
    expect(res('HTTP/1.1 200 OK\r\nX-Whatever: close\r\n\r\n')).toMatchObject({ keepAlive: true });
    expect(res('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n')).toMatchObject({ keepAlive: false });
    expect(res('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n')).toMatchObject({ contentLength: 12 });
    expect(res(`HTTP/1.1 200 OK\r\nContent-Length: ${2 ** 40}\r\n\r\n`)).toMatchObject({ contentLength: 2 ** 40 });
    for (const bad of ['+5', '1.5', ''])
      expect(res(`HTTP/1.1 200 OK\r\nContent-Length: ${bad}\r\n\r\n`)).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
  });

  it('reads status, reason and how the body is framed', () => {
    expect(res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello')).toMatchObject({
      status: 200,
      reason: 'OK',
      contentLength: 5,
      chunked: false,
      keepAlive: true,
      headEnd: 38,
    });
    expect(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n')).toMatchObject({ chunked: true });
    expect(res('HTTP/1.0 200 OK\r\n\r\n')).toMatchObject({ contentLength: -1, keepAlive: false });
    expect(res('HTTP/1.1 204\r\n\r\n')).toMatchObject({ status: 204, reason: '' });
    expect(res('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).toMatchObject({
      keepAlive: false,
    });
    expect(res('HTTP/1.1 200 OK\r\nContent-')).toBe(incomplete);
  });

  it('locates each header line in the bytes and says which the proxy drops, counts or forwards', () => {
    const head = res(
      'HTTP/1.1 200 OK\r\nContent-Type:  text/plain \r\nDATE: d\r\nProxy-X: p\r\nConnection: x-named\r\n' +
        'X-Named: n\r\ncontent-length: 2\r\nKeep-Alive: 1\r\nTE: t\r\n\r\nok',
    ) as ResponseHead;
    // Leading whitespace is not part of a value, trailing whitespace is (as undici's rawHeaders).
    expect(responseRawHeaders(head)).toEqual([
      'Content-Type',
      'text/plain ',
      'DATE',
      'd',
      'Proxy-X',
      'p',
      'Connection',
      'x-named',
      'X-Named',
      'n',
      'content-length',
      '2',
      'Keep-Alive',
      '1',
      'TE',
      't',
    ]);
    const kinds = head.lines.filter((_, i) => i % lineFields === lineFields - 1);
    const { Pass, Drop, Length, Date: DateKind } = HeaderKind;
    expect(kinds).toEqual([Pass, DateKind, Drop, Drop, Drop, Length, Drop, Drop]);
    expect(head.contentLength).toBe(2);
  });

  it('names a response that is not HTTP/1.1 as undici would (the code goes into the 502 message)', () => {
    expect(res('SSH-2.0-OpenSSH\r\n\r\n')).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
    expect(res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n')).toMatchObject({
      code: 'HPE_INVALID_CONSTANT',
    });
    expect(res('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n')).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
    expect(res(`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(maxHeadBytes)}`)).toMatchObject({
      code: 'UND_ERR_HEADERS_OVERFLOW',
    });
  });
});

describe('headEndIn', () => {
  it('finds the first \\r\\n\\r\\n wherever Buffer#indexOf does', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const bytes = [13, 10, 13, 10, 65, 32];
    for (let trial = 0; trial < 20_000; trial++) {
      const buf = Buffer.from(
        Array.from({ length: Math.floor(random() * 24) }, () => bytes[Math.floor(random() * 6)]!),
      );
      expect(headEndIn(buf)).toBe(buf.indexOf('\r\n\r\n'));
    }
    expect(headEndIn(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\n\r\n'))).toBe(23);
  });
});
