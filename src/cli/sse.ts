/** A minimal server-sent-events reader: yields {id, event, data} from a byte stream. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** Parse an SSE stream (text/event-stream) into messages; comments and keep-alives are skipped. */
export async function* readSse(body: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') message.id = value;
      }
      if (data.length === 0 && message.event === 'message') continue;
      message.data = data.join('\n');
      yield message;
    }
  }
}
