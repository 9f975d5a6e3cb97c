import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One server-sent event. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parse an SSE stream (text/event-stream) into messages with `eventsource-parser`, which follows
 * the WHATWG spec (CRLF and CR line ends, a BOM, multi-line data, comments and keep-alives).
 */
export async function* readSse(body: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const pending: SseMessage[] = [];
  const parser = createParser({
    onEvent: (m: EventSourceMessage) =>
      void pending.push({ ...(m.id !== undefined ? { id: m.id } : {}), event: m.event ?? 'message', data: m.data }),
  });
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift()!;
  }
}
