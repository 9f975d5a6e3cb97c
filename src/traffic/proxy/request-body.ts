import type { IncomingMessage } from 'node:http';
import { noBody } from './headers.js';

/** Bodies up to this size are read before dispatch so a request can be replayed on another upstream. */
export const maxBufferedBodyBytes = 256 * 1024;

/** A request body as the forwarder sends it: replayable (none, buffered) or streamed once. */
export type RequestBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffered'; readonly data: Buffer }
  | { readonly kind: 'stream'; readonly head: Buffer[]; readonly declaredLength: number | undefined };

const none: RequestBody = { kind: 'none' };
const empty: RequestBody = { kind: 'buffered', data: Buffer.alloc(0) };

/**
 * Read the body up to `limit` bytes and call `done` with it; larger bodies come back as a
 * paused stream with the bytes read so far. `done(undefined)` means the client went away.
 */
export function readRequestBody(
  req: IncomingMessage,
  limit: number,
  done: (body: RequestBody | undefined) => void,
): void {
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  const declaredLength = te === undefined ? Number(cl) : undefined;
  const known =
    te === undefined && cl === undefined
      ? none
      : declaredLength === 0
        ? empty
        : declaredLength !== undefined && declaredLength > limit
          ? { kind: 'stream' as const, head: [] as Buffer[], declaredLength }
          : undefined;
  if (known) {
    done(known);
    return;
  }

  const chunks: Buffer[] = [];
  let total = 0;
  let settled = false;
  const settle = (body: RequestBody | undefined) => {
    if (settled) return;
    settled = true;
    req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    done(body);
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
    if (total > limit) {
      req.pause();
      settle({ kind: 'stream', head: chunks, declaredLength });
    }
  };
  const onEnd = () =>
    settle({ kind: 'buffered', data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) });
  const onGone = () => settle(undefined);
  req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
}

/** The framing argument for upstreamRequestHeaders (a stream of unknown length goes out chunked). */
export function framingOf(body: RequestBody): number {
  if (body.kind === 'none') return noBody;
  if (body.kind === 'buffered') return body.data.length;
  return body.declaredLength ?? noBody;
}
