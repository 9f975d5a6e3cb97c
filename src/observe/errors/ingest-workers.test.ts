import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { IngestError } from './ingest-error.js';
import { answerJob } from './worker-job.js';
import { IngestWorkers } from './ingest-workers.js';
import { readBody } from './read-body.js';

const target = { project: 'harbor', environment: 'staging' };
let workers: IngestWorkers | undefined;
afterEach(async () => {
  await workers?.close();
  workers = undefined;
});
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof IngestError ? { status: e.status, message: e.message } : { thrown: String(e) }),
  );

describe('ingest workers', () => {
  it('read a gzip envelope in a thread as on the event loop: grouped, the SDK body kept as the payload', async () => {
    workers = new IngestWorkers(2);
    const event = sentryEvent({ type: 'RangeError', value: 'premium out of range', user: 'ana', padBytes: 20_000 });
    const body = gzipSync(envelopeOf([['event', event]], { event_id: event.event_id }));
    const job = { body, encoding: 'gzip', kind: 'envelope' as const, ...target };
    const [threaded, inline] = [await workers.read(job), readBody(job)];
    expect(threaded).toEqual(inline);
    expect(threaded.events[0]).toMatchObject({
      eventId: event.event_id,
      grouping: { title: 'RangeError: premium out of range', exceptionType: 'RangeError' },
    });
    expect(Buffer.isBuffer(threaded.events[0]!.payload)).toBe(true);
    expect(Buffer.compare(threaded.events[0]!.payload, body)).toBe(0);
  });

  it('answer many bodies at once, each to its own request', async () => {
    workers = new IngestWorkers(2);
    const events = Array.from({ length: 40 }, (_, i) => sentryEvent({ type: `Error${i}` }));
    const read = await Promise.all(
      events.map((e) =>
        workers!.read({ body: envelopeOf([['event', e]]), encoding: undefined, kind: 'envelope', ...target }),
      ),
    );
    expect(read.map((a) => a.events[0]!.eventId)).toEqual(events.map((e) => e.event_id));
  });

  it("refuse what the SDK got wrong with the thread's reason (4xx), and keep reading after it", async () => {
    workers = new IngestWorkers(1);
    const job = (body: Buffer, encoding?: string) => workers!.read({ body, encoding, kind: 'envelope', ...target });
    expect(await refusal(job(Buffer.from('not json\n')))).toEqual({
      status: 400,
      message: expect.stringMatching(/^envelope header: not valid JSON/),
    });
    expect(await refusal(job(Buffer.from('plain'), 'gzip'))).toEqual({
      status: 400,
      message: 'the body is not valid gzip data (Content-Encoding: gzip)',
    });
    expect(await refusal(job(gzipSync(Buffer.alloc(9 * 1024 * 1024, 0x20)), 'gzip'))).toMatchObject({ status: 413 });
    expect((await job(envelopeOf([['event', sentryEvent({})]]))).events).toHaveLength(1);
  });

  it('bound the bytes waiting for a thread (429), and refuse bodies once closed', async () => {
    workers = new IngestWorkers(1, 1000);
    const big = { body: Buffer.alloc(2000, 0x20), encoding: undefined, kind: 'envelope' as const, ...target };
    expect(await refusal(workers.read(big))).toMatchObject({ status: 429 });
    await workers.close();
    const small = envelopeOf([['event', sentryEvent({})]]);
    expect(await refusal(workers.read({ ...big, body: small }))).toMatchObject({ status: 429 });
  });

  it('with no threads, read on the event loop', async () => {
    workers = new IngestWorkers(0);
    const e = sentryEvent({ message: 'ledger lag' });
    const read = await workers.read({
      body: Buffer.from(JSON.stringify(e)),
      encoding: undefined,
      kind: 'store',
      ...target,
    });
    expect(read.events[0]!.grouping.title).toBe('ledger lag');
  });
});

describe('an ingest worker answering a job', () => {
  it('moves a one-event gzip body back in the buffer it came in (no copy); other payloads get a buffer each', () => {
    const event = sentryEvent({ type: 'TypeError', padBytes: 8_000 });
    const gzip = new Uint8Array(gzipSync(envelopeOf([['event', event]], { event_id: event.event_id })));
    const moved = new Set<ArrayBuffer>();
    const answer = answerJob({ id: 1, body: gzip, encoding: 'gzip', kind: 'envelope', ...target }, moved);
    expect('accepted' in answer && answer.accepted.events[0]!.payload.buffer).toBe(gzip.buffer);
    expect([...moved]).toEqual([gzip.buffer]);

    const plain = new Uint8Array(envelopeOf([['event', sentryEvent({ type: 'TypeError' })]]));
    const alsoMoved = new Set<ArrayBuffer>();
    const other = answerJob({ id: 2, body: plain, encoding: undefined, kind: 'envelope', ...target }, alsoMoved);
    const payload = 'accepted' in other ? other.accepted.events[0]!.payload : undefined;
    expect(payload?.buffer).not.toBe(plain.buffer);
    expect([...alsoMoved]).toEqual([payload?.buffer]);
    expect(payload?.byteOffset).toBe(0);
  });
});
