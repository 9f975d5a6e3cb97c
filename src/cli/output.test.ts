import { afterEach, describe, expect, it, vi } from 'vitest';
import { dim, painted, printableCell, red, stateColor, table } from './output.js';

const esc = '\u001b';

describe('table cells', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('without colour, every control character in a cell shows escaped and the row stays one line', () => {
    const out = table(['TITLE'], [[`a${esc}[31mb\nc\td`]]);
    expect(out.split('\n')).toHaveLength(2);
    expect(out).toContain('a\\u001b[31mb\\nc\\u0009d');
  });

  /** Run with stdout a colour terminal. */
  const inColour = (check: () => void) => {
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('TERM', 'xterm');
    try {
      check();
    } finally {
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  };

  it('with colour, a painted cell keeps the CLI’s own colours and anything else in it is escaped', () =>
    inColour(() => {
      const state = red('failed');
      expect(state).toBe(`${esc}[31mfailed${esc}[0m`);
      expect(printableCell(state)).toBe(state);
      expect(printableCell(`x${esc}[2J${esc}]0;title\u0007 ${state}`)).toBe(
        `x\\u001b[2J\\u001b]0;title\\u0007 ${state}`,
      );
    }));

  it('with colour, the states and dashes the CLI painted render as colour, widths as on screen', () =>
    inColour(() => {
      const out = table(
        ['STATE', 'TOOK'],
        [
          [painted(stateColor('succeeded')), painted(dim('-'))],
          ['ok', '3s'],
        ],
      );
      expect(out.split('\n')[1]).toBe(`${esc}[32msucceeded${esc}[0m  ${esc}[2m-${esc}[0m`);
      expect(out.split('\n')[2]).toBe('ok         3s');
    }));

  it('with colour, stored text that holds our very colour codes still shows them escaped', () =>
    inColour(() => {
      const title = `${esc}[31mRED${esc}[0m title`;
      const out = table(['STATE', 'TITLE'], [[painted(red('failed')), title]]);
      expect(out.split('\n')[1]).toBe(`${esc}[31mfailed${esc}[0m  \\u001b[31mRED\\u001b[0m title`);
    }));
});
