import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * Writes that go from the fast path straight to a connected socket's handle (libuv's stream), past Node's
 * stream.Writable: in a perf profile of a worker under wrk, Writable's bookkeeping for the two writes per request
 * (writeOrBuffer, _write, onwrite, a WriteWrap made per write, megamorphic property loads) was about a tenth of its
 * user time. The handle first tries a synchronous write(2), which on the fast path almost always takes everything;
 * only a write the kernel did not take whole completes later, and only then is a WriteWrap spent. libuv keeps its
 * writes in order, so a later socket.write() or socket.end() (which shuts the socket down after the queue drains)
 * still goes out after these bytes. Relies on Node's `_handle` and the `stream_wrap` binding, as user-buffer-socket.ts
 * and node:net themselves do.
 */

interface WriteReq {
  oncomplete: ((this: WriteReq, status: number) => void) | undefined;
  /** Kept referenced until the kernel has taken it: libuv points into its memory. */
  buffer: Buffer | string | undefined;
  socket: Socket | undefined;
  drained: (() => void) | undefined;
}

interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
  /** Bytes libuv holds that the kernel has not taken yet. */
  readonly writeQueueSize: number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

const binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding('stream_wrap');
const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding;

/** The request object for the next write: a write that completes at once leaves it unused, so it is reused. */
let spare = new WriteWrap();

function handleOf(socket: Socket): StreamHandle | null {
  return (socket as unknown as { _handle: StreamHandle | null })._handle;
}

/**
 * Write `data` (a string as latin1) to `socket`. `drained`: called when a write that had to wait has gone out and
 * nothing is left queued (the 'drain' this path replaces). Falls back to socket.write() while the socket is not
 * connected yet, closed, or has bytes in its Writable (which must go first).
 */
export function writeDirect(socket: Socket, data: Buffer | string, drained?: () => void): void {
  const handle = handleOf(socket);
  if (handle === null || socket.connecting || socket.destroyed || socket.writableLength > 0 || socket.writableEnded) {
    if (typeof data === 'string') socket.write(data, 'latin1');
    else socket.write(data);
    return;
  }
  const req = spare;
  const err = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (err !== 0) {
    // As Writable does with a failed write: the socket is destroyed with the error ('error', then 'close').
    socket.destroy(writeError(err));
    return;
  }
  if (streamBaseState[kLastWriteWasAsync] === 0) return;
  spare = new WriteWrap();
  req.buffer = data;
  req.socket = socket;
  req.drained = drained;
  req.oncomplete = onWriteComplete;
}

/** Bytes written and not yet taken by the kernel, through either path (for backpressure). */
export function queuedBytes(socket: Socket): number {
  const handle = handleOf(socket);
  return socket.writableLength + (handle === null ? 0 : handle.writeQueueSize);
}

function onWriteComplete(this: WriteReq, status: number): void {
  const socket = this.socket!;
  const drained = this.drained;
  this.buffer = undefined;
  this.socket = undefined;
  this.drained = undefined;
  // A socket destroyed meanwhile cancels its queued writes (status ECANCELED): nothing more to tell.
  if (socket.destroyed) return;
  if (status < 0) {
    socket.destroy(writeError(status));
    return;
  }
  const handle = handleOf(socket);
  if (drained !== undefined && (handle === null || handle.writeQueueSize === 0)) drained();
}

/** The error node:net reports for a failed write ("write EPIPE", with its code). */
function writeError(status: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}`), { errno: status, code, syscall: 'write' });
}
