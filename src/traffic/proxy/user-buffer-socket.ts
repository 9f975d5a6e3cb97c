import net, { type Socket } from 'node:net';

/**
 * Client connections of the fast path read into one shared buffer (net's `onread` option) rather than through the
 * Readable stream: no buffer allocated, pushed, emitted and collected per read. In a perf profile of a worker under
 * wrk the stream's share of the read path (a 64 KiB allocation, ArrayBuffer, push, 'data' emit, maybeReadMore tick)
 * was about a tenth of its JavaScript time. net sets `onread` up only when it creates a socket, and the sockets here
 * come from net.Server or from the parent process (child_process), so the connection's handle is taken over by a
 * new Socket made with it: Node's private `_handle`, the one thing this relies on (as node:cluster does). Reads are
 * consumed at once on the single thread; bytes kept past the callback are copied by their keeper (fast-connection.ts).
 */

/** Where every client socket reads into. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * The connection `received` holds, as a socket whose reads call `onRead` with bytes valid only during the call;
 * undefined when there is no handle to take (a socket already closed). `received` lets go of the handle and is
 * destroyed when the new socket closes, so whoever counts it (net.Server, child_process) sees it close then.
 */
export function readIntoSharedBuffer(received: Socket, onRead: (data: Buffer) => void): Socket | undefined {
  const internal = received as unknown as { _handle: unknown };
  const handle = internal._handle;
  if (handle === null || handle === undefined || received.destroyed) return undefined;
  internal._handle = null;
  const socket = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: readBuffer,
      callback: (n: number) => {
        onRead(readBuffer.subarray(0, n));
        // Pausing goes through socket.pause() (backpressure), not this return value.
        return true;
      },
    },
  } as net.SocketConstructorOpts);
  socket.once('close', () => received.destroy());
  return socket;
}
