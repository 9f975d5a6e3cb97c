import { createParser } from 'eventsource-parser';

/** One server-sent event: {id, event, data}. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parse an SSE stream (text/event-stream) into messages, by the WHATWG rules (eventsource-parser):
 * LF, CRLF or CR line endings, a leading BOM, comments and keep-alives skipped, and an event
 * without data not dispatched. `event` defaults to "message"; `id` is the event's own id field.
 */
export async function* readSse(body: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const ready: SseMessage[] = [];
  const parser = createParser({
    onEvent: ({ id, event, data }) =>
      ready.push({ ...(id === undefined ? {} : { id }), event: event ?? 'message', data }),
  });
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (ready.length > 0) yield ready.shift()!;
  }
}
