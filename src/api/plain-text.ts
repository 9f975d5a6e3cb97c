import type { z } from 'zod';
import { hasControlCharacter } from '../shared/control-characters.js';
import { describeCharacter, firstInvisible } from '../shared/invisible-characters.js';

/**
 * Text fields people write and others read in a terminal (`slipway incidents`, `incident show`): control
 * characters are refused where they come in (a 400 naming the field), so an escape sequence or a newline
 * in a title cannot recolour, move the cursor or split a table row. Bidirectional controls and zero-width
 * characters too (src/shared/invisible-characters.ts): they make text read differently from what it holds.
 * The CLI escapes all of them on output too.
 */
export const oneLine = (schema: z.ZodString) =>
  visible(
    schema.refine((text) => !hasControlCharacter(text), {
      message: 'must be one line of text without control characters (escape sequences, newlines, tabs)',
    }),
  );

/** Like oneLine, for text of several lines (a note, a resolution): newlines and tabs are kept. */
export const paragraphs = (schema: z.ZodString) =>
  visible(
    schema.refine((text) => !hasControlCharacter(text, '\n\t'), {
      message: 'must not contain control characters other than newlines and tabs (no escape sequences)',
    }),
  );

/** Refuse invisible characters, naming the one found (`U+202E (RIGHT-TO-LEFT OVERRIDE)`). */
const visible = (schema: z.ZodString) =>
  schema.superRefine((text, ctx) => {
    const code = firstInvisible(text);
    if (code !== undefined)
      ctx.addIssue({
        code: 'custom',
        message:
          `contains ${describeCharacter(code)}, an invisible character that reorders or hides text; ` +
          'remove it (zero-width joiners in emoji are fine)',
      });
  });
