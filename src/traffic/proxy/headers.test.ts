import { describe, expect, it } from 'vitest';
import {
  clientAddressOf,
  clientResponseHeaders,
  noBody,
  readReleaseCookie,
  releaseCookie,
  upstreamRequestHeaders,
} from './headers.js';

/** Flat raw header list → lowercase name → values. */
function byName(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out[name] = [...(out[name] ?? []), raw[i + 1]!];
  }
  return out;
}

describe('upstreamRequestHeaders', () => {
  const raw = [
    'Host',
    'shop.example.com:8080',
    'Connection',
    'keep-alive, X-Hop',
    'Keep-Alive',
    'timeout=5',
    'X-Hop',
    'secret-per-connection',
    'Proxy-Authorization',
    'Basic abc',
    'TE',
    'trailers',
    'Trailer',
    'Expires',
    'Upgrade',
    'h2c',
    'Transfer-Encoding',
    'chunked',
    'Content-Length',
    '12',
    'X-Forwarded-For',
    '203.0.113.7',
    'X-Forwarded-Proto',
    'https',
    'Accept',
    'text/html',
    'Set-Cookie-ish',
    'kept',
    'Cookie',
    'a=1',
  ];

  it('drops hop-by-hop headers, including those named in Connection', () => {
    const h = byName(upstreamRequestHeaders(raw, '10.0.0.2', noBody));
    for (const name of [
      'connection',
      'keep-alive',
      'x-hop',
      'proxy-authorization',
      'te',
      'trailer',
      'upgrade',
      'transfer-encoding',
      'content-length',
    ])
      expect(h[name], name).toBeUndefined();
    expect(h.accept).toEqual(['text/html']);
    expect(h.cookie).toEqual(['a=1']);
    expect(h['set-cookie-ish']).toEqual(['kept']);
    expect(h.host).toEqual(['shop.example.com:8080']);
  });

  it('appends X-Forwarded-For and sets X-Forwarded-Proto/Host and a request id', () => {
    const h = byName(upstreamRequestHeaders(raw, '10.0.0.2', noBody));
    expect(h['x-forwarded-for']).toEqual(['203.0.113.7, 10.0.0.2']);
    expect(h['x-forwarded-proto']).toEqual(['http']);
    expect(h['x-forwarded-host']).toEqual(['shop.example.com:8080']);
    expect(h['x-request-id']![0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps an existing request id and joins repeated X-Forwarded-For', () => {
    const h = byName(
      upstreamRequestHeaders(
        ['X-Request-Id', 'abc', 'X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'],
        '3.3.3.3',
        noBody,
      ),
    );
    expect(h['x-request-id']).toEqual(['abc']);
    expect(h['x-forwarded-for']).toEqual(['1.1.1.1, 2.2.2.2, 3.3.3.3']);
    expect(h['x-forwarded-host']).toBeUndefined();
  });

  it('announces the length of the body actually sent', () => {
    expect(byName(upstreamRequestHeaders(raw, 'c', 42))['content-length']).toEqual(['42']);
    expect(byName(upstreamRequestHeaders(raw, 'c', noBody))['content-length']).toBeUndefined();
  });
});

describe('clientResponseHeaders', () => {
  it('drops hop-by-hop and Transfer-Encoding, keeps repeated Set-Cookie, adds the sticky cookie', () => {
    const raw = [
      'Content-Type',
      'text/plain',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'Proxy-Authenticate',
      'Basic',
    ].map((s) => Buffer.from(s, 'latin1'));
    const out = clientResponseHeaders(raw, 'slipway-release=1.0; Path=/');
    expect(out).toEqual([
      'Content-Type',
      'text/plain',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Set-Cookie',
      'slipway-release=1.0; Path=/',
    ]);
  });

  it('keeps non-ASCII header bytes intact', () => {
    const out = clientResponseHeaders([Buffer.from('X-Name'), Buffer.from([0x63, 0x61, 0x66, 0xe9])], undefined);
    expect(Buffer.from(out[1]!, 'latin1')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  });
});

describe('release cookie', () => {
  it('reads slipway-release among other cookies, not as a suffix of another name', () => {
    expect(readReleaseCookie('a=1; slipway-release=1.4.0; b=2')).toBe('1.4.0');
    expect(readReleaseCookie('slipway-release=candidate')).toBe('candidate');
    expect(readReleaseCookie('xslipway-release=nope')).toBeUndefined();
    expect(readReleaseCookie('xslipway-release=nope; slipway-release=yes')).toBe('yes');
    expect(readReleaseCookie(undefined)).toBeUndefined();
    expect(readReleaseCookie('slipway-release=%E0%A4%A')).toBeUndefined();
  });

  it('round-trips release names through encoding', () => {
    const cookie = releaseCookie('1.0.0+build.5');
    expect(cookie).toContain('HttpOnly');
    expect(readReleaseCookie(cookie.split(';')[0])).toBe('1.0.0+build.5');
  });

  it('reads IPv4-mapped client addresses as IPv4', () => {
    expect(clientAddressOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientAddressOf('::1')).toBe('::1');
  });
});
