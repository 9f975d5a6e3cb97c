import { describe, expect, it } from 'vitest';
import { HeaderNames } from './header-names.js';
import { RequestHeaderRule, requestHeaderRule } from './header-rules.js';

describe('HeaderNames', () => {
  const names = new HeaderNames(['host', 'te', 'keep-alive', 'connection', 'x-request-id']);
  const find = (text: string) => names.find(Buffer.from(`!${text}:`, 'latin1'), 1, 1 + text.length);

  it('finds a listed name in any case, and nothing else', () => {
    expect(find('Host')).toBe(0);
    expect(find('TE')).toBe(1);
    expect(find('Keep-Alive')).toBe(2);
    expect(find('CONNECTION')).toBe(3);
    expect(find('X-Request-ID')).toBe(4);
    for (const other of ['Hos', 'Hostt', 'User-Agent', 'ta', 'keep_alive', 'x-request-iD2', ''])
      expect(find(other)).toBe(-1);
  });

  it('refuses names it could not compare as bytes', () => {
    expect(() => new HeaderNames(['Host'])).toThrow(/cannot be looked up/);
  });
});

describe('requestHeaderRule', () => {
  it('drops hop-by-hop, proxy-* and Connection-named headers, and the ones the proxy sets itself', () => {
    for (const name of ['connection', 'keep-alive', 'te', 'proxy-foo', 'proxy-', 'x-forwarded-proto', 'expect'])
      expect(requestHeaderRule(name, undefined)).toBe(RequestHeaderRule.Drop);
    expect(requestHeaderRule('x-hop', ['x-hop'])).toBe(RequestHeaderRule.Drop);
    // Connection cannot take away what the proxy itself reads.
    expect(requestHeaderRule('x-request-id', ['x-request-id'])).toBe(RequestHeaderRule.RequestId);
    expect(requestHeaderRule('host', undefined)).toBe(RequestHeaderRule.Host);
    expect(requestHeaderRule('x-forwarded-for', undefined)).toBe(RequestHeaderRule.ForwardedFor);
    expect(requestHeaderRule('user-agent', undefined)).toBe(RequestHeaderRule.Forward);
  });
});
