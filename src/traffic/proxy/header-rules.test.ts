import { describe, expect, it } from 'vitest';
import { ConnectionToken, connectionBits, connectionNames, isHopByHop } from './header-rules.js';

const read = (value: string) => {
  // Padding around the value: the helpers must read only buf[vs, ve).
  const buf = Buffer.from(`xx${value}yy`, 'latin1');
  return { bits: connectionBits(buf, 2, 2 + value.length), names: connectionNames(buf, 2, 2 + value.length) };
};

describe('the Connection header', () => {
  it('reads the usual values, in any case', () => {
    expect(read('keep-alive').bits).toBe(ConnectionToken.KeepAlive);
    expect(read('Keep-Alive').bits).toBe(ConnectionToken.KeepAlive);
    expect(read('close').bits).toBe(ConnectionToken.Close);
    expect(read('CLOSE').bits).toBe(ConnectionToken.Close);
    expect(read('').bits).toBe(0);
  });

  it('reads lists, and names the other headers it makes hop-by-hop', () => {
    expect(read(' close , keep-alive ')).toEqual({
      bits: ConnectionToken.Close | ConnectionToken.KeepAlive,
      names: [],
    });
    expect(read('keep-alive, X-Secret,,  Foo')).toEqual({
      bits: ConnectionToken.KeepAlive | ConnectionToken.Named,
      names: ['x-secret', 'foo'],
    });
  });

  it('reports an upgrade, and lists "upgrade" among the names (the Upgrade header is then dropped)', () => {
    const { bits, names } = read('Upgrade');
    expect(bits & ConnectionToken.Upgrade).toBeTruthy();
    expect(bits & ConnectionToken.Named).toBeTruthy();
    expect(names).toEqual(['upgrade']);
  });

  it('the names it lists count as hop-by-hop', () => {
    const { names } = read('close, x-secret');
    expect(isHopByHop('x-secret', names)).toBe(true);
    expect(isHopByHop('x-public', names)).toBe(false);
    expect(isHopByHop('proxy-foo', undefined)).toBe(true);
  });
});
