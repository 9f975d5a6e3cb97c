import { describe, expect, it } from 'vitest';
import { describeCharacter, firstInvisible } from './invisible-characters.js';

describe('invisible characters', () => {
  it('finds bidirectional controls and zero-width characters', () => {
    const found = ['\u202a', '\u202e', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c', '\u200b', '\u2060', '\ufeff']
      .map((c) => firstInvisible(`bidi ${c} gnirts`))
      .map((code) => describeCharacter(code!));
    expect(found[1]).toBe('U+202E (RIGHT-TO-LEFT OVERRIDE)');
    expect(found.every((d) => /^U\+[0-9A-F]{4} \(/.test(d))).toBe(true);
  });

  it('finds the line and paragraph separators, which a terminal hides and a browser breaks at', () => {
    expect(describeCharacter(firstInvisible('one\u2028two')!)).toBe('U+2028 (LINE SEPARATOR)');
    expect(describeCharacter(firstInvisible('one\u2029two')!)).toBe('U+2029 (PARAGRAPH SEPARATOR)');
  });

  it('lets emoji joined by U+200D, the Persian non-joiner and plain text through', () => {
    for (const text of ['👩\u200d💻 on call', 'می\u200cخواهم', 'quotes time out — café ✔', 'עברית and العربية'])
      expect(firstInvisible(text)).toBeUndefined();
  });
});
