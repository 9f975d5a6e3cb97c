import { IngestError } from './ingest-error.js';
import { ingestLimits } from './limits.js';

/** One item of an envelope: its header and its payload bytes. */
export interface EnvelopeItem {
  type: string;
  payload: Buffer;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

const newline = 0x0a;

function jsonObject(bytes: Buffer, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new IngestError(400, `${where}: not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new IngestError(400, `${where}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Parse a Sentry envelope (https://develop.sentry.dev/sdk/envelopes/): a JSON header line, then
 * items, each a JSON header line (`type`, optional `length`) and a payload of `length` bytes or
 * up to the next newline. Any defect refuses the whole envelope, so nothing of it is stored.
 */
export function parseEnvelope(bytes: Buffer): Envelope {
  let at = bytes.indexOf(newline);
  const header = jsonObject(bytes.subarray(0, at === -1 ? bytes.length : at), 'envelope header');
  const items: EnvelopeItem[] = [];
  at = at === -1 ? bytes.length : at + 1;
  while (at < bytes.length) {
    // Blank lines between items are tolerated (some SDKs end the envelope with an extra newline).
    if (bytes[at] === newline) {
      at++;
      continue;
    }
    const where = `item ${items.length + 1}`;
    if (items.length >= ingestLimits.items)
      throw new IngestError(413, `the envelope has more than ${ingestLimits.items} items`);
    const end = bytes.indexOf(newline, at);
    const itemHeader = jsonObject(bytes.subarray(at, end === -1 ? bytes.length : end), `${where} header`);
    if (typeof itemHeader.type !== 'string' || itemHeader.type === '')
      throw new IngestError(400, `${where} header: "type" must be a non-empty string`);
    const start = end === -1 ? bytes.length : end + 1;
    let stop: number;
    if (itemHeader.length !== undefined) {
      const length = itemHeader.length;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0)
        throw new IngestError(400, `${where} header: "length" must be a non-negative integer`);
      stop = start + length;
      if (stop > bytes.length)
        throw new IngestError(
          400,
          `${where} (${itemHeader.type}): "length" ${length} runs past the end of the envelope`,
        );
    } else {
      const next = bytes.indexOf(newline, start);
      stop = next === -1 ? bytes.length : next;
    }
    items.push({ type: itemHeader.type, payload: bytes.subarray(start, stop) });
    at = stop + 1;
  }
  return { header, items };
}
