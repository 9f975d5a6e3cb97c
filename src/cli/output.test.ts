import { afterEach, describe, expect, it, vi } from 'vitest';
import { printableCell, red, table } from './output.js';

const esc = '\u001b';

describe('table cells', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('without colour, every control character in a cell shows escaped and the row stays one line', () => {
    const out = table(['TITLE'], [[`a${esc}[31mb\nc\td`]]);
    expect(out.split('\n')).toHaveLength(2);
    expect(out).toContain('a\\u001b[31mb\\nc\\u0009d');
  });

  it('with colour, the CLI’s own colours stay and anything else is escaped', () => {
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('TERM', 'xterm');
    try {
      const state = red('failed');
      expect(state).toBe(`${esc}[31mfailed${esc}[0m`);
      expect(printableCell(state)).toBe(state);
      expect(printableCell(`x${esc}[2J${esc}]0;title\u0007 ${state}`)).toBe(
        `x\\u001b[2J\\u001b]0;title\\u0007 ${state}`,
      );
    } finally {
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  });
});
