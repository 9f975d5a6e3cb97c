import { describe, expect, it } from 'vitest';
import { parseCursor, parseLog, sinceTimeOf } from './log-lines.js';

const body = [
  '2026-12-04T11:30:25.12345Z listening on 8080',
  '2026-12-04T11:30:25.12345Z second line, same time',
  '2026-12-04T11:30:26.5Z GET /healthz 200',
  '2026-12-04T11:30:27Z ',
  '',
].join('\n');

describe('pod log lines', () => {
  it('splits the timestamps the API adds off the text, with cursors that resume exactly', () => {
    const lines = parseLog('api-7c9', body);
    expect(lines.map((l) => l.text)).toEqual(['listening on 8080', 'second line, same time', 'GET /healthz 200', '']);
    expect(lines[0]!.at).toBe(Date.parse('2026-12-04T11:30:25.123Z'));
    expect(lines[0]!.cursor).toBe('api-7c9|2026-12-04T11:30:25.123450000Z|0');
    expect(lines[1]!.cursor).toBe('api-7c9|2026-12-04T11:30:25.123450000Z|1');
    const after = parseCursor(lines[0]!.cursor)!;
    expect(parseLog('api-7c9', body, after).map((l) => l.text)).toEqual([
      'second line, same time',
      'GET /healthz 200',
      '',
    ]);
    expect(sinceTimeOf(after).toISOString()).toBe('2026-12-04T11:30:25.000Z');
  });

  it("a cursor of another pod (the instance's pod was replaced) reads the new pod from its start", () => {
    const after = parseCursor(parseLog('old-pod', body)[2]!.cursor)!;
    expect(parseLog('new-pod', body, after)).toHaveLength(4);
  });

  it('refuses cursors it did not make', () => {
    expect(parseCursor('garbage')).toBeUndefined();
    expect(parseCursor('p|2026-12-04T11:30:25Z|x')).toBeUndefined();
  });
});
