import { describe, expect, it } from 'vitest';
import { closest, hint } from './suggest.js';

describe('closest', () => {
  it.each([
    ['heath', ['path', 'health', 'env'], 'health'],
    ['pathprefix', ['pathPrefix', 'host'], 'pathPrefix'],
    ['instanses', ['instances', 'env'], 'instances'],
    ['prod', ['staging', 'production'], 'production'],
    ['heath', ['path'], undefined],
    ['xyz', ['command', 'args'], undefined],
    ['pr', ['production', 'preview'], undefined],
  ])('%s among %j → %s', (word, known, expected) => expect(closest(word, known)).toBe(expected));
});

describe('hint', () => {
  it('suggests or lists', () => {
    expect(hint('helth', ['health'])).toBe(' (did you mean "health"?)');
    expect(hint('zzz', ['a', 'b'])).toBe(' (expected one of: a, b)');
    expect(hint('zzz', [])).toBe('');
  });
});
