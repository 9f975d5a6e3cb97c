import { describe, expect, it } from 'vitest';
import { nextRequestId, requestIdLength, writeRequestId } from './request-id.js';

describe('nextRequestId', () => {
  it('gives UUID-shaped ids, each different', () => {
    const ids = Array.from({ length: 5000 }, nextRequestId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes the same ids as bytes, continuing the same sequence', () => {
    const out = Buffer.alloc(requestIdLength + 2);
    const first = nextRequestId();
    expect(writeRequestId(out, 1)).toBe(1 + requestIdLength);
    const written = out.toString('latin1', 1, 1 + requestIdLength);
    const next = nextRequestId();
    expect(written.slice(0, 24)).toBe(first.slice(0, 24));
    expect(Number.parseInt(written.slice(24), 16)).toBe(Number.parseInt(first.slice(24), 16) + 1);
    expect(Number.parseInt(next.slice(24), 16)).toBe(Number.parseInt(first.slice(24), 16) + 2);
    expect(written).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
