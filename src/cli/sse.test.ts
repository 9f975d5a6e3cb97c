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
  it('accepts CRLF and CR line endings and a leading byte order mark, as the SSE standard allows', async () => {
    const chunks = ['\ufeffid: 7\r\nevent: a\r\ndata: x\r\n\r', '\nevent: b\rdata: y\r\rdata: z\n\n'];
    expect(await collect(chunks)).toEqual([
      { id: '7', event: 'a', data: 'x' },
      { event: 'b', data: 'y' },
      { event: 'message', data: 'z' },
    ]);
  });
  it('keeps a character split across chunks whole', async () => {
    const bytes = Buffer.from('data: é→\n\n');
    const out = [];
    for await (const m of readSse(
      (async function* () {
        for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
      })(),
    ))
      out.push(m);
    expect(out).toEqual([{ event: 'message', data: 'é→' }]);
  });
  it('drops an event the stream cut off before its blank line', async () => {
    expect(await collect(['data: complete\n\n', 'data: cut off'])).toEqual([{ event: 'message', data: 'complete' }]);
  });
});
