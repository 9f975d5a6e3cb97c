/**
 * Text PostgreSQL cannot store: a NUL character (text and jsonb refuse it: SQLSTATE 22021 / 22P05)
 * and a UTF-16 surrogate without its pair (jsonb refuses the `\ud800` escape JSON.stringify writes
 * for it). Inputs with either are refused at the API's edge; text that must be kept whatever it
 * holds (the audit log of a denied request) is stored with them escaped.
 */

/** What makes `text` unstorable, in words, or undefined when it can be stored. */
export function unstorableIn(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return 'contains a NUL character (\\u0000)';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return `contains an unpaired UTF-16 surrogate (${escapeCode(c)})`;
    } else if (c >= 0xdc00 && c <= 0xdfff) return `contains an unpaired UTF-16 surrogate (${escapeCode(c)})`;
  }
  return undefined;
}

/** `text` with NUL and unpaired surrogates written as `\uXXXX`, so it can be stored as it was received. */
export function escapeUnstorable(text: string): string {
  if (unstorableIn(text) === undefined) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += text[i]! + text[i + 1]!;
      i++;
    } else if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) out += escapeCode(c);
    else out += text[i];
  }
  return out;
}

/** A JSON-like value with every string (keys too) escaped by escapeUnstorable. */
export function escapeUnstorableDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeUnstorable(value);
  if (Array.isArray(value)) return value.map(escapeUnstorableDeep);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeUnstorable(k), escapeUnstorableDeep(v)]));
  return value;
}

function escapeCode(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}
