import { describe, expect, it } from 'vitest';
import { chooseEncoding, chooseRange, ifRangeAllows, matchesIfNoneMatch } from './negotiation.js';

describe('chooseEncoding', () => {
  const both = ['br', 'gzip'] as const;
  it('prefers brotli, then gzip, then the file as is', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', both)).toBe('br');
    expect(chooseEncoding('gzip, deflate', both)).toBe('gzip');
    expect(chooseEncoding('deflate', both)).toBeUndefined();
    expect(chooseEncoding(undefined, both)).toBeUndefined();
    expect(chooseEncoding('br', ['gzip'])).toBeUndefined();
    expect(chooseEncoding('br, gzip', [])).toBeUndefined();
  });

  it('honours q-values, q=0 refusals and *', () => {
    expect(chooseEncoding('br;q=0, gzip', both)).toBe('gzip');
    expect(chooseEncoding('br;q=0.5, gzip;q=0.8', both)).toBe('gzip');
    expect(chooseEncoding('*', both)).toBe('br');
    expect(chooseEncoding('*;q=0', both)).toBeUndefined();
    expect(chooseEncoding('x-gzip', both)).toBe('gzip');
  });
});

describe('chooseRange', () => {
  it('reads one bytes range', () => {
    expect(chooseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(chooseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(chooseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(chooseRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(chooseRange('bytes=50-1000', 100)).toEqual({ kind: 'partial', start: 50, end: 99 });
  });

  it('says when a range cannot be met, and ignores what it does not understand', () => {
    expect(chooseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(chooseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(chooseRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(chooseRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'full' });
    expect(chooseRange('items=0-1', 100)).toEqual({ kind: 'full' });
    expect(chooseRange('bytes=9-3', 100)).toEqual({ kind: 'full' });
  });
});

describe('conditional requests', () => {
  it('matches If-None-Match weakly, in lists and with *', () => {
    expect(matchesIfNoneMatch('"abc"', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('W/"abc"', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"x", "abc"', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('*', '"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"abc-br"', '"abc"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"abc"')).toBe(false);
  });

  it('uses a range only when If-Range names the current ETag', () => {
    expect(ifRangeAllows(undefined, '"abc"')).toBe(true);
    expect(ifRangeAllows('"abc"', '"abc"')).toBe(true);
    expect(ifRangeAllows('"old"', '"abc"')).toBe(false);
  });
});
