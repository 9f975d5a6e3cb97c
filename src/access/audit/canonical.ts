import { createHash } from 'node:crypto';
import type { AuditRecord } from './types.js';

/** The prev_hash of the first row. */
export const genesisHash = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, so the same row always gives the same text
 * whichever driver parsed it (jsonb does not keep key order). For JSON values this is RFC 8785
 * (JCS) — keys in UTF-16 order, numbers and strings as JSON.stringify writes them — which a test
 * checks byte for byte against the `canonicalize` package. It stays these ten lines: the chain's
 * rows were hashed with them, and a library would change nothing but add a dependency.
 * Example: canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) === '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A summary as jsonb will give it back: Dates become strings, undefined members vanish,
 * absent becomes null. Hashing this (not the caller's object) keeps append and verify in step.
 */
export function asStoredJson(value: unknown): unknown {
  const text = value === undefined || value === null ? undefined : JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/** sha256 hex of the previous hash followed by the canonical JSON of every field but the hashes. */
export function hashOf(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  // A stored record carries its hash; it is what is being checked, so never part of the input.
  const { prevHash, hash: _hash, ...fields } = record;
  const canonical = canonicalJson({ ...fields, at: fields.at.toISOString() });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}
