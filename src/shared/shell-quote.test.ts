import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote, shellWord } from './shell-quote.js';

/** What /bin/sh hands a program for a quoted line: the words back, one per line of printf. */
function throughShell(words: string[]): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shellLine(words)}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('wraps in single quotes and escapes single quotes', () => {
    expect(shellQuote('plain')).toBe("'plain'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('hands every word through a real sh unchanged, however hostile', () => {
    const words = [
      'a b',
      "it's",
      '$(touch /tmp/slipway-pwned)',
      '`id`',
      '"; rm -rf / #',
      '$HOME',
      '\\n\\\\',
      'line\nbreak',
      '*',
      '',
      "''",
      '--flag=x y',
      'ünïcødé',
    ];
    expect(throughShell(words)).toEqual(words);
  });

  it('refuses a NUL byte rather than cut the word', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('shellWord', () => {
  it('leaves a plain word bare, quotes anything a shell would act on, and sh reads each back unchanged', () => {
    expect(shellWord('production-approver')).toBe('production-approver');
    expect(shellWord("ops lead's")).toBe("'ops lead'\\''s'");
    expect(shellWord('/srv/slipway/bin/slipway.js')).toBe('/srv/slipway/bin/slipway.js');
    const words = ['production-approver', 'a.b@c+d', "ops lead's", '$(id)', '*', '/a/b:c,d', '~/x', 'a b/c'];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellWord).join(' ')}`], {
      encoding: 'utf8',
    });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });
});
