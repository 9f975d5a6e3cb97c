import { describe, expect, it } from 'vitest';
import { FrameDecoder, nanosOf, parseLogLine } from './docker-logs.js';

const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe('container log lines', () => {
  it('reads the engine timestamp to the nanosecond (trailing zeros trimmed, as Docker writes them)', () => {
    expect(nanosOf('2026-12-04T11:25:35.6579012Z')).toBe(1796383535657901200n);
    expect(nanosOf('2026-12-04T11:25:35Z')).toBe(1796383535000000000n);
    expect(nanosOf('not a time')).toBeUndefined();
  });

  it('parses a line into text, time in ms and the timestamp as its cursor', () => {
    expect(parseLogLine('2026-12-04T11:25:35.657901240Z listening on 0.0.0.0:8080')).toEqual({
      text: 'listening on 0.0.0.0:8080',
      at: 1796383535657,
      cursor: '2026-12-04T11:25:35.657901240Z',
    });
    expect(parseLogLine('garbage without a time')).toBeUndefined();
  });

  it('decodes multiplexed frames split anywhere across chunks, stdout and stderr in order', () => {
    const all = Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n'), frame(1, 'three\n')]);
    const decoder = new FrameDecoder();
    let text = '';
    for (let i = 0; i < all.length; i += 5) text += decoder.push(all.subarray(i, i + 5));
    expect(text).toBe('one\ntwo\nthree\n');
  });
});
