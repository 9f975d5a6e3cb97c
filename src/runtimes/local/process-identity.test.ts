import { describe, expect, it } from 'vitest';
import { isProcessAlive, parseProcStat, readProcStart, signalGroup } from './process-identity.js';

describe('process identity', () => {
  it('parses /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[19] = '987654';
    expect(parseProcStat(`42 (my (weird) cmd) ${fields.join(' ')}`)).toEqual({ state: 'S', startTime: 987654 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('knows this process by pid and start time, and not with another start time', () => {
    const procStart = readProcStart(process.pid);
    expect(procStart).toEqual(expect.any(Number));
    expect(isProcessAlive({ pid: process.pid, procStart })).toBe(true);
    expect(isProcessAlive({ pid: process.pid, procStart: procStart! + 1 })).toBe(false);
  });

  it('treats a pid that does not exist as dead', () => {
    expect(isProcessAlive({ pid: 2 ** 22 + 12345, procStart: null })).toBe(false);
  });

  it('refuses to signal group 0, 1 or a negative id', () => {
    for (const pgid of [0, 1, -5]) expect(() => signalGroup(pgid, 'SIGTERM')).toThrow('refusing to signal');
  });
});
