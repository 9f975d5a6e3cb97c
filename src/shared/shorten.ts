/** Characters a cut may end on that would dangle before the ellipsis ("…(6 of", "threshold: …"). */
const dangling = /[\s,;:([{–—-]+$/u;

/**
 * `text` when it has at most `max` characters; otherwise its start cut at the last word boundary, with "…" (the
 * result has at most `max` characters). A cut mid-word or mid-phrase with a trailing space read as a typo in
 * notification and incident titles. A single word longer than half of `max` is cut inside it.
 *
 * @example shorten('canary analysis failed: error-rate', 20) // 'canary analysis…'
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let room = text.slice(0, max - 1);
  // Never split a surrogate pair (an emoji in a title).
  if (/[\uD800-\uDBFF]$/.test(room)) room = room.slice(0, -1);
  const atWordEnd = /\s/.test(text[room.length] ?? '');
  const lastSpace = room.search(/\s\S*$/);
  const cut = atWordEnd || lastSpace < max / 2 ? room : room.slice(0, lastSpace);
  return `${cut.replace(dangling, '')}…`;
}
