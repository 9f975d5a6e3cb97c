/**
 * Turns the three offset units PostgreSQL's parser speaks into line:col, in one forward pass:
 * node and statement locations are UTF-8 byte offsets, error cursors are character (code point)
 * offsets, and JavaScript strings index UTF-16 code units. Seeking only moves forward, so
 * positioning every statement of a file costs one walk over it, not one walk per statement.
 */
export class SourceWalker {
  /** UTF-16 index of the current character. */
  private index = 0;
  private byte = 0;
  private codePoint = 0;
  private line = 1;
  /** UTF-16 index where the current line starts. */
  private lineStart = 0;

  constructor(private readonly text: string) {}

  /** Moves to a UTF-8 byte offset (not before the current one) and returns its UTF-16 index. */
  seekByte(byteOffset: number): number {
    while (this.byte < byteOffset && this.index < this.text.length) this.step();
    return this.index;
  }

  /** Moves to a code point offset (not before the current one) and returns its UTF-16 index. */
  seekCodePoint(offset: number): number {
    while (this.codePoint < offset && this.index < this.text.length) this.step();
    return this.index;
  }

  /** Moves to a UTF-16 index (not before the current one). */
  seekIndex(index: number): number {
    while (this.index < index && this.index < this.text.length) this.step();
    return this.index;
  }

  /**
   * 1-based line and column of the current position. Columns count UTF-16 code units, like
   * JavaScript string indexes and editors do, so `lineStart + col - 1` indexes the file text.
   */
  position(): { line: number; col: number } {
    return { line: this.line, col: this.index - this.lineStart + 1 };
  }

  private step(): void {
    const unit = this.text.charCodeAt(this.index);
    if (unit === 10) {
      this.line++;
      this.lineStart = this.index + 1;
    }
    // A surrogate pair is one code point of four UTF-8 bytes.
    if (unit >= 0xd800 && unit <= 0xdbff && this.index + 1 < this.text.length) {
      const low = this.text.charCodeAt(this.index + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        this.index += 2;
        this.byte += 4;
        this.codePoint++;
        return;
      }
    }
    this.index++;
    this.byte += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    this.codePoint++;
  }
}

/**
 * Length of the whitespace and comments (`--` and nested `/* *\/`) starting at `from`, so a
 * statement's position points at its first token rather than at the comment above it.
 */
export function leadingTrivia(text: string, from: number, to: number): number {
  let i = from;
  for (;;) {
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (text.startsWith('--', i)) {
      const newline = text.indexOf('\n', i);
      i = newline === -1 || newline > to ? to : newline + 1;
    } else if (text.startsWith('/*', i)) {
      i = blockCommentEnd(text, i, to);
    } else {
      return i - from;
    }
  }
}

/** PostgreSQL block comments nest: `/* a /* b *\/ c *\/` is one comment. */
function blockCommentEnd(text: string, start: number, to: number): number {
  let depth = 0;
  let i = start;
  while (i < to) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return to;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff;
}
