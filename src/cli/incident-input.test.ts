import { describe, expect, it } from 'vitest';
import { checkIncidentText, checkIncidentTitle } from './incident-input.js';

const refusal = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string };
  }
  return undefined;
};

describe('incident text checked in the CLI', () => {
  it('a title of 3 to 300 characters on one line', () => {
    expect(refusal(() => checkIncidentTitle('quotes time out'))).toBeUndefined();
    expect(refusal(() => checkIncidentTitle(' x '))).toMatchObject({
      code: 'invalid_input',
      message: 'the title is too short: say what is wrong in 3 characters or more',
    });
    expect(refusal(() => checkIncidentTitle('x'.repeat(301)))?.message).toBe(
      'the title is 301 characters long: at most 300',
    );
    expect(refusal(() => checkIncidentTitle('two\nlines'))?.message).toMatch(/^the title must be one line/);
  });

  it('--resolution names the flag and its limit', () => {
    expect(refusal(() => checkIncidentText('rolled back\nand fixed', '--resolution', 1000))).toBeUndefined();
    expect(refusal(() => checkIncidentText('y'.repeat(1001), '--resolution', 1000))).toMatchObject({
      code: 'invalid_input',
      message: '--resolution is 1001 characters long: at most 1000',
    });
  });

  it('a bidirectional control or a zero-width character is refused, naming it; emoji joined by U+200D are kept', () => {
    expect(refusal(() => checkIncidentTitle('bidi \u202e gnirts'))?.message).toBe(
      'the title contains U+202E (RIGHT-TO-LEFT OVERRIDE), an invisible character that reorders or hides text: ' +
        'remove it',
    );
    expect(refusal(() => checkIncidentText('saw\n\ufeff502s', 'the note', 2000))?.message).toMatch(
      /^the note contains U\+FEFF /,
    );
    expect(refusal(() => checkIncidentTitle('👩\u200d💻 on call'))).toBeUndefined();
  });
});
