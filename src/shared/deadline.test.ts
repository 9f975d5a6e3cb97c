import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline } from './deadline.js';

// A receiver that never answers, and the collector run while requests wait on it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** How a request to the hanging receiver ends: 'timeout', 'parent' or 'hung' (still waiting after 3 s). */
async function waitOn(signal: AbortSignal, parentSignal: AbortSignal, expired: () => boolean): Promise<string> {
  const ended = fetch(url, { method: 'POST', body: 'x', signal }).then(
    () => 'answered',
    () => (parentSignal.aborted ? 'parent' : expired() ? 'timeout' : 'error'),
  );
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 40));
    gc();
  }
  return Promise.race([ended, new Promise<string>((r) => setTimeout(() => r('hung'), 3000))]);
}

describe('deadline', () => {
  it('ends a request to a receiver that never answers, garbage collection or not', async () => {
    const parent = new AbortController();
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => {
        const d = deadline(150, parent.signal);
        return waitOn(d.signal, parent.signal, () => d.expired).finally(() => d.done());
      }),
    );
    expect(outcomes).toEqual(['timeout', 'timeout', 'timeout']);
  });

  it('follows its parent, and stops following once done', async () => {
    const parent = new AbortController();
    const d = deadline(60_000, parent.signal);
    const waiting = waitOn(d.signal, parent.signal, () => d.expired);
    parent.abort();
    expect(await waiting).toBe('parent');
    d.done();
    const other = new AbortController();
    const finished = deadline(60_000, other.signal);
    finished.done();
    other.abort();
    expect(finished.signal.aborted).toBe(false);
  });
});
