import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseSetFlags } from './set-flags.js';

describe('parseSetFlags', () => {
  it('splits at the first "=" and allows empty values', () => {
    expect(parseSetFlags(['LOG_LEVEL=debug', 'DSN=postgres://u@h/db?sslmode=require&x=1', 'EMPTY=', '_X1=a'])).toEqual({
      LOG_LEVEL: 'debug',
      DSN: 'postgres://u@h/db?sslmode=require&x=1',
      EMPTY: '',
      _X1: 'a',
    });
  });

  it('lets a later flag win', () => {
    expect(parseSetFlags(['A=1', 'A=2'])).toEqual({ A: '2' });
  });

  it('keeps "__proto__" an ordinary key', () => {
    const sets = parseSetFlags(['__proto__=x']);
    expect(Object.getPrototypeOf(sets)).toBe(Object.prototype);
    expect(Object.keys(sets)).toEqual(['__proto__']);
  });

  it('names each bad flag and the expected form', () => {
    let error: unknown;
    try {
      parseSetFlags(['LOG_LEVEL', '1X=2', 'OK=1', '=v']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.message)).toEqual([
      '--set "LOG_LEVEL": expected KEY=VALUE, like --set LOG_LEVEL=debug',
      '--set "1X=2": "1X" is not an environment variable name (letters, digits and _, not starting with a digit); ' +
        'expected KEY=VALUE',
      '--set "=v": "" is not an environment variable name (letters, digits and _, not starting with a digit); ' +
        'expected KEY=VALUE',
    ]);
  });
});
