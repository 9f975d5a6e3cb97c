import { describe, expect, it } from 'vitest';
import { readSse } from './sse.js';

async function collect(chunks: string[]) {
  const out = [];
  for await (const m of readSse(
    (async function* () {
      for (const c of chunks) yield Buffer.from(c);
    })(),
  ))
    out.push(m);
  return out;
}

describe('readSse', () => {
  it('parses frames split across chunks, skipping keep-alive comments', async () => {
    const messages = await collect([
      'id: 1\nevent: deployment.step.started\nda',
      'ta: {"a":1}\n\n: keep-alive\n\n',
      'event: end\ndata: {}\n\n',
    ]);
    expect(messages).toEqual([
      { id: '1', event: 'deployment.step.started', data: '{"a":1}' },
      { event: 'end', data: '{}' },
    ]);
  });
  it('joins multi-line data', async () => {
    expect(await collect(['data: a\ndata: b\n\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
  it('takes CRLF line ends and a byte-order mark, as the spec allows (the hand-written reader did not)', async () => {
    expect(await collect(['\ufeffid: 7\r\nevent: end\r\n', 'data: {}\r\n\r\n'])).toEqual([
      { id: '7', event: 'end', data: '{}' },
    ]);
  });
});
