/**
 * Unicode format characters that change how text around them shows without showing themselves: bidirectional
 * controls (U+202E turns "gnirts" into "string" on screen, so a title can read differently from what it says) and
 * zero-width characters (U+200B, U+2060, U+FEFF hide inside a word, so two titles that look the same differ).
 *
 * The line and paragraph separators (U+2028, U+2029) too: most terminals show nothing for them while a browser or a
 * JSON reader breaks the line there, so one title would read differently in two places.
 *
 * Zero-width joiner and non-joiner (U+200D, U+200C) are not listed: the joiner builds emoji sequences (👩‍💻) and
 * Indic conjuncts, the non-joiner is part of Persian spelling; both only change how their neighbours join.
 */
const names = new Map<number, string>([
  [0x061c, 'ARABIC LETTER MARK'],
  [0x200b, 'ZERO WIDTH SPACE'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2028, 'LINE SEPARATOR'],
  [0x2029, 'PARAGRAPH SEPARATOR'],
  [0x2060, 'WORD JOINER'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
  [0xfeff, 'ZERO WIDTH NO-BREAK SPACE (byte order mark)'],
]);

/** Is this code point a bidirectional control or a zero-width character that hides text? */
export const isInvisible = (code: number): boolean => names.has(code);

/** "U+202E (RIGHT-TO-LEFT OVERRIDE)": how a refusal names the character. */
export function describeCharacter(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = names.get(code);
  return name ? `${hex} (${name})` : hex;
}

/** The first invisible character in `text`, or undefined. */
export function firstInvisible(text: string): number | undefined {
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (isInvisible(code)) return code;
  }
  return undefined;
}
