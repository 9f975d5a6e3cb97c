import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { IngestError } from './ingest-error.js';
import { ingestLimits } from './limits.js';

/**
 * The body an SDK sent, decompressed per Content-Encoding (gzip, deflate, br, none). A body that
 * grows past the limit is a 413, not a memory spike: zlib stops at `maxOutputLength`. Synchronous:
 * it runs in an ingest worker thread (ingest-workers.ts), beside the event loop, never on it.
 */
export function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  const maxOutputLength = ingestLimits.envelopeBytes;
  try {
    if (coding === 'identity' || coding === '') return checked(body);
    // One 64 KB output chunk holds most events whole.
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(body, { maxOutputLength, chunkSize: 65_536 });
    // "deflate" means zlib-wrapped; some clients send raw deflate under that name.
    if (coding === 'deflate')
      return body[0] === 0x78 ? inflateSync(body, { maxOutputLength }) : inflateRawSync(body, { maxOutputLength });
    if (coding === 'br') return brotliDecompressSync(body, { maxOutputLength });
  } catch (e) {
    if (e instanceof IngestError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      throw new IngestError(413, `the body decompresses to more than ${ingestLimits.envelopeBytes} bytes`);
    throw new IngestError(400, `the body is not valid ${coding} data (Content-Encoding: ${coding})`);
  }
  throw new IngestError(415, `Content-Encoding "${coding}" is not supported (use gzip, deflate, br or none)`);
}

function checked(body: Buffer): Buffer {
  if (body.length > ingestLimits.envelopeBytes)
    throw new IngestError(413, `the body is larger than ${ingestLimits.envelopeBytes} bytes`);
  return body;
}
