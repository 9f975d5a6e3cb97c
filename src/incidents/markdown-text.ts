/**
 * Text people or outside systems wrote (incident titles, notes, resolutions, commit subjects), made inert for the
 * postmortem's Markdown: once rendered (GitHub, a wiki) it must show as written, never become a link
 * (`[x](javascript:…)`), raw HTML (`<img onerror=…>`), emphasis, a table, or a heading of the document (a note line
 * `## Action items`). The characters that would start such a thing are backslash-escaped (CommonMark renders `\*`
 * as `*`), and only where they would: `FAIL_RATE`, `> 1 %` and `[high]` stay as they are, so the raw file still
 * reads well. The document itself has no link reference definitions, and none can come from the text (a line never
 * starts with its `[`), so a bracket is a link only when `](` or `][` follows.
 */

const word = /[\p{L}\p{N}]/u;
const space = /\s/;
/** An entity or character reference (`&lt;`, `&#60;`), which a renderer would decode. */
const reference = /^&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i;

function needsEscape(text: string, i: number): boolean {
  const c = text[i]!;
  const before = text[i - 1] ?? ' ';
  const after = text[i + 1] ?? ' ';
  switch (c) {
    case '\\':
    case '`':
    case '|': // a table needs a row of them; a note of several lines could write one
    case '~':
      return true;
    case '*': // emphasis, unless it stands alone between spaces
      return !(space.test(before) && space.test(after));
    case '_': // emphasis, unless inside a word or alone between spaces
      return !((word.test(before) && word.test(after)) || (space.test(before) && space.test(after)));
    case '<': // HTML, comments and autolinks: `< 1 %` is text
      return /[A-Za-z/!?]/.test(after);
    case ']':
      return after === '(' || after === '[';
    case '&':
      return reference.test(text.slice(i));
    default:
      return false;
  }
}

function escapeInline(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += needsEscape(text, i) ? `\\${text[i]}` : text[i];
  return out;
}

/** One line of inert text (a title, a name) inside a line of the document: line breaks become spaces. */
export function markdownText(text: string): string {
  // A trailing run of `#` after a space would close the title's heading and vanish.
  return escapeInline(text.replace(/\s*\n\s*/g, ' ').trim()).replace(/(\s)(#+)$/, (_, s, h) => `${s}\\${h}`);
}

/** What a line may not start with: a heading, a quote, a list item, a setext underline or break, a definition. */
const blockStart = /^(#|>|[-+=*_[]|\d{1,9}[.)])/;

/**
 * Text of several lines (a note) as inert lines, each safe at the start of a line of the document. Indentation is
 * dropped: four spaces would start a code block, where the escapes would show.
 */
export function markdownLines(text: string): string[] {
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => {
      const escaped = escapeInline(l.trim());
      const start = blockStart.exec(escaped)?.[0];
      if (!start || escaped.startsWith('\\')) return escaped;
      return /^\d/.test(start)
        ? `${start.slice(0, -1)}\\${start.slice(-1)}${escaped.slice(start.length)}`
        : `\\${escaped}`;
    });
}
