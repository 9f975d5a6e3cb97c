import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import type { Accepted } from './accepted.js';
import { digestBatch } from './digest.js';
import type { InsertShape } from './event-insert.js';
import { readBody } from './read-body.js';

/** An accepted envelope of one event whose stored payload is every byte value (NUL, 0xff, bytes no text holds). */
function acceptedWithBytes(type: string, seed: number): { accepted: Accepted; bytes: Buffer } {
  const event = sentryEvent({ type });
  const body = gzipSync(envelopeOf([['event', event]], { event_id: event.event_id }));
  const accepted = readBody({ body, encoding: 'gzip', kind: 'envelope', project: 'harbor', environment: 'staging' });
  const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7 + seed) % 256));
  accepted.events[0]!.payload = bytes;
  return { accepted, bytes };
}

const shapes: InsertShape[] = [
  { payloads: 'binary', rowsPerStatement: 2 },
  { payloads: 'base64', rowsPerStatement: 2 },
  { payloads: 'binary', rowsPerStatement: 1000 },
];

describeEachDriver('error event payloads', (getDb) => {
  for (const shape of shapes)
    it(`are stored byte for byte, all rows, ${shape.payloads} in statements of ${shape.rowsPerStatement}`, async () => {
      // Five events: with 2 rows a statement, three statements, the last one short.
      const sent = Array.from({ length: 5 }, (_, i) => acceptedWithBytes(`Payload${shape.payloads}Error${i}`, i));
      await getDb().transaction((tx) =>
        digestBatch(
          tx,
          sent.map((s) => s.accepted),
          new Date(),
          shape,
        ),
      );
      const { rows } = await getDb().query<{ event_id: string; payload: Buffer }>(
        'select event_id, payload from error_events',
      );
      const stored = new Map(rows.map((r) => [r.event_id, r.payload]));
      expect(stored.size).toBe(5);
      for (const { accepted, bytes } of sent)
        expect(Buffer.compare(stored.get(accepted.events[0]!.eventId)!, bytes)).toBe(0);
    });
});
