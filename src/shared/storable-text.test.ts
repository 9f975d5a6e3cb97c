import { describe, expect, it } from 'vitest';
import { escapeUnstorable, escapeUnstorableDeep, unstorableIn } from './storable-text.js';

describe('storable text', () => {
  it('finds NUL and unpaired surrogates, and accepts pairs and other control characters', () => {
    expect(unstorableIn('a\u0000b')).toBe('contains a NUL character (\\u0000)');
    expect(unstorableIn('x\ud800')).toBe('contains an unpaired UTF-16 surrogate (\\ud800)');
    expect(unstorableIn('\udc00x')).toBe('contains an unpaired UTF-16 surrogate (\\udc00)');
    expect(unstorableIn('emoji 🚢 tab\t bell\u0007')).toBeUndefined();
  });
  it('escapes what cannot be stored and leaves the rest as it was', () => {
    expect(escapeUnstorable('NAME\u0000/reveal')).toBe('NAME\\u0000/reveal');
    expect(escapeUnstorable('a\ud800b🚢')).toBe('a\\ud800b🚢');
    expect(escapeUnstorable('plain')).toBe('plain');
    expect(escapeUnstorableDeep({ 'k\u0000': ['v\u0000', 1, null], n: { x: '\udfff' } })).toEqual({
      'k\\u0000': ['v\\u0000', 1, null],
      n: { x: '\\udfff' },
    });
  });
});
