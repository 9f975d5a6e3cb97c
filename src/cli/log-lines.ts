/** The log stream the API answers `slipway logs` with, read line by line and field by field. */

/** Lines of a byte stream. */
export async function* splitLines(body: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  if (rest) yield rest;
}

/** "ISO [env ]ins_x 1.2.0 | text" → fields (one instance's log has no prefix after the time). */
export function logRecord(timed: string, opts: { env?: string; instance?: string }) {
  const space = timed.indexOf(' ');
  const at = timed.slice(0, space);
  const line = timed.slice(space + 1);
  if (opts.instance) return { at, instance: opts.instance, line };
  const bar = line.indexOf(' | ');
  const words = line.slice(0, bar).split(' ');
  const [environment, instance, release] = words.length === 3 ? words : [opts.env, words[0], words[1]];
  return { at, instance, release, environment, line: line.slice(bar + 3) };
}
