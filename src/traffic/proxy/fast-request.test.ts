import { describe, expect, it } from 'vitest';
import { upstreamRequest } from './fast-request.js';
import { noBody, upstreamRequestHeaders } from './headers.js';
import { parseRequestHead, type RequestHead, requestRawHeaders } from './request-head.js';

const head = (text: string): RequestHead => {
  const parsed = parseRequestHead(Buffer.from(text, 'latin1'), 256 * 1024);
  if (typeof parsed !== 'object' || 'message' in parsed) throw new Error(`not a fast-path request: ${text}`);
  return parsed;
};

/** The fast path's upstream head (and body) for a request written out as `text`, with `length` body bytes. */
function upstreamText(text: string, clientAddress: string, length: number, fallbackHost: string): string {
  const buf = Buffer.from(text, 'latin1');
  return upstreamRequest(head(text), buf, clientAddress, length, fallbackHost).toString('latin1');
}

/** The upstream request as the Exchange path's header list (headers.ts) makes it, serialised as undici does. */
function twoPass(request: string, clientAddress: string, length: number, fallbackHost: string): string {
  const h = head(request);
  const raw = requestRawHeaders(h, Buffer.from(request, 'latin1'));
  const headers = upstreamRequestHeaders(raw, clientAddress, h.contentLength < 0 ? noBody : length);
  let host: string | undefined;
  let text = '';
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i]!.toLowerCase();
    if (lower === 'host') host = headers[i + 1];
    else if (lower !== 'content-length') text += `${headers[i]!}: ${headers[i + 1]!}\r\n`;
  }
  const withLength = length > 0 || ['PUT', 'POST', 'PATCH'].includes(h.method);
  return (
    `${h.method} ${h.target} HTTP/1.1\r\nhost: ${host ?? fallbackHost}\r\n` +
    `connection: ${h.method === 'HEAD' ? 'close' : 'keep-alive'}\r\n${text}` +
    `${withLength ? `content-length: ${length}\r\n` : ''}\r\n${request.slice(h.headEnd, h.headEnd + length)}`
  );
}

const stableId = (s: string) => s.replace(/X-Request-Id: [0-9a-f-]{36}\r\n/, 'X-Request-Id: ID\r\n');

describe('upstreamRequest', () => {
  const cases: [string, number][] = [
    ['GET /a HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n', 0],
    [
      'GET /a?q=1 HTTP/1.1\r\nhost: x\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: 5\r\n' +
        'Proxy-Authorization: p\r\nproxy-foo: f\r\nTE: trailers\r\nTrailer: Expires\r\nX-Forwarded-For: 10.0.0.9\r\n' +
        'x-forwarded-for: 10.0.0.8\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: other\r\nPragma: no-cache\r\n\r\n',
      0,
    ],
    [
      'POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-Request-Id: mine\r\nContent-Type: text/plain\r\n\r\nabc',
      3,
    ],
    ['PUT /p HTTP/1.1\r\nHost: h\r\n\r\n', 0],
    ['HEAD /h HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n', 0],
    ['GET /old HTTP/1.0\r\nConnection: keep-alive\r\nUser-Agent: curl\r\n\r\n', 0],
    [
      'DELETE /d HTTP/1.1\r\nHOST: Up.Per\r\nCookie: a=1\r\nPROXY-X: 1\r\nCONNECTION: X-Custom-Header\r\n' +
        'x-custom-header: gone\r\nX-Custom-Headers: kept\r\n\r\n',
      0,
    ],
  ];
  it.each(cases)('sends what the Exchange path sends: %j', (text, length) => {
    const one = upstreamText(text, '192.0.2.1', length, '127.0.0.1:9000');
    expect(stableId(one)).toBe(stableId(twoPass(text, '192.0.2.1', length, '127.0.0.1:9000')));
  });

  it('drops hop-by-hop headers, the ones Connection names included, and keeps the rest in order', () => {
    const text = upstreamText(cases[1]![0], '192.0.2.1', 0, 'u');
    expect(text).not.toMatch(/x-hop|keep-alive: 5|proxy-|^te:|trailer:|https|other/im);
    expect(text).toContain('X-Forwarded-For: 10.0.0.9, 10.0.0.8, 192.0.2.1\r\n');
    expect(text).toMatch(/^GET \/a\?q=1 HTTP\/1\.1\r\nhost: x\r\nconnection: keep-alive\r\nPragma: no-cache\r\n/);
  });
});
