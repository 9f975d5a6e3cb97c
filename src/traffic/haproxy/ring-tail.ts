import net from 'node:net';
import { sampleRing } from './sample-log.js';

/**
 * A live tail of one worker's sample ring: `show events <ring> -w` on the worker's own stats socket (the
 * master CLI does not relay streams) gives the whole ring, then each new line. Used for the worker a reload
 * is about to retire: it keeps serving the requests in flight, and its ring dies with it, so its lines are
 * taken as they come (after a reload, its last ones arrive a moment later). Unref'd: a tail never keeps this
 * process alive.
 */
export interface RingTail {
  /** End the tail (an open CLI session keeps a retiring worker alive). */
  close(): void;
  readonly closed: () => boolean;
}

/** Start tailing the current worker's ring; resolves once the command is sent. */
export function tailRing(workerSocket: string, onLine: (line: string) => void): Promise<RingTail> {
  return new Promise((resolve) => {
    let rest = '';
    let ended = false;
    const conn = net.createConnection({ path: workerSocket });
    const tail: RingTail = { close: () => conn.destroy(), closed: () => ended };
    conn.on('close', () => (ended = true));
    conn.unref();
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      conn.write(`show events ${sampleRing} -w\n`);
      resolve(tail);
    });
    conn.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    // A tail that cannot start costs only the retiring worker's last lines, never the change itself.
    conn.on('error', () => resolve(tail));
  });
}

/**
 * Close a retiring worker's tail once no client connection is left on its frontends (idle keep-alive ones
 * may still bring a request: with `idle-close-on-response` it answers one more), so the worker can exit;
 * at the latest after `maxMs`. `busy` fails once the worker is gone.
 */
export async function closeWhenIdle(tail: RingTail, busy: () => Promise<boolean>, maxMs = 10 * 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
  while (!tail.closed() && Date.now() < deadline) {
    await pause(200);
    if (await busy().catch(() => false)) continue;
    // Its last log line is written when the request ends: give it a moment to arrive.
    await pause(200);
    break;
  }
  tail.close();
}
