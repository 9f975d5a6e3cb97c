import { describe, expect, it } from 'vitest';
import { hasControlCharacter } from './control-characters.js';

describe('hasControlCharacter', () => {
  it('finds escape sequences, newlines, DEL and C1 controls', () => {
    for (const text of ['evil \u001b[31mRED', 'two\nlines', 'bell\u0007', 'del\u007f', 'csi\u009b2J', 'tab\t'])
      expect(hasControlCharacter(text)).toBe(true);
  });

  it('lets plain text through, and the controls a caller allows', () => {
    expect(hasControlCharacter('quotes time out — 502s for café ✔')).toBe(false);
    expect(hasControlCharacter('first line\n\tsecond', '\n\t')).toBe(false);
    expect(hasControlCharacter('first line\n\u001b[2J', '\n\t')).toBe(true);
  });
});
