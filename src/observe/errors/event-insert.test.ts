import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import type { Accepted } from './accepted.js';
import { digestBatch } from './digest.js';
import type { PayloadParam } from './event-insert.js';
import { readBody } from './read-body.js';

/** An accepted envelope of one event whose stored payload is every byte value (NUL, 0xff, bytes no text holds). */
function acceptedWithBytes(type: string): { accepted: Accepted; bytes: Buffer } {
  const event = sentryEvent({ type });
  const body = gzipSync(envelopeOf([['event', event]], { event_id: event.event_id }));
  const accepted = readBody({ body, encoding: 'gzip', kind: 'envelope', project: 'harbor', environment: 'staging' });
  const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
  accepted.events[0]!.payload = bytes;
  return { accepted, bytes };
}

describeEachDriver('error event payloads', (getDb) => {
  for (const payloads of ['binary', 'base64'] as PayloadParam[])
    it(`are stored byte for byte when sent as ${payloads}`, async () => {
      const { accepted, bytes } = acceptedWithBytes(`Payload${payloads}Error`);
      await getDb().transaction((tx) => digestBatch(tx, [accepted], new Date(), payloads));
      const { rows } = await getDb().query<{ payload: Buffer }>(
        'select payload from error_events where event_id = $1',
        [accepted.events[0]!.eventId],
      );
      expect(rows).toHaveLength(1);
      expect(Buffer.compare(rows[0]!.payload, bytes)).toBe(0);
    });
});
