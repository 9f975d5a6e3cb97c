import { describe, expect, it } from 'vitest';
import { markdownLines, markdownText } from './markdown-text.js';

describe('user text in the postmortem Markdown', () => {
  it('escapes links, HTML, emphasis, code and entities, and leaves ordinary text as written', () => {
    expect(markdownText('[click me](javascript:alert(1)) <img src=x onerror=alert(1)>')).toBe(
      '[click me\\](javascript:alert(1)) \\<img src=x onerror=alert(1)>',
    );
    expect(markdownText('*bold* __under__ `code` &lt; ~~gone~~ a|b \\')).toBe(
      '\\*bold\\* \\_\\_under\\_\\_ \\`code\\` \\&lt; \\~\\~gone\\~\\~ a\\|b \\\\',
    );
    expect(markdownText('FAIL_RATE left on; p99 > 1 % and < 2 %, 3 * 4, rule [high], issue #42, R&D')).toBe(
      'FAIL_RATE left on; p99 > 1 % and < 2 %, 3 * 4, rule [high], issue #42, R&D',
    );
  });

  it('keeps a title on one line and its trailing #s from closing the heading', () => {
    expect(markdownText('quotes\ntime out ##')).toBe('quotes time out \\##');
  });

  it('no line of a note can start a heading, a quote, a list, a break, a table or a definition', () => {
    expect(
      markdownLines(
        'line1\n## Action items\n| fake | row |\n|---|---|\n> quoted\n- item\n1. first\n---\n' +
          '[x]: javascript:y\n    code\n',
      ),
    ).toEqual([
      'line1',
      '\\## Action items',
      '\\| fake \\| row \\|',
      '\\|---\\|---\\|',
      '\\> quoted',
      '\\- item',
      '1\\. first',
      '\\---',
      '\\[x]: javascript:y',
      'code',
    ]);
  });
});
