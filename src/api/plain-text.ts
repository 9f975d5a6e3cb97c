import type { z } from 'zod';
import { hasControlCharacter } from '../shared/control-characters.js';

/**
 * Text fields people write and others read in a terminal (`slipway incidents`, `incident show`): control
 * characters are refused where they come in (a 400 naming the field), so an escape sequence or a newline
 * in a title cannot recolour, move the cursor or split a table row. The CLI escapes them on output too.
 */
export const oneLine = (schema: z.ZodString) =>
  schema.refine((text) => !hasControlCharacter(text), {
    message: 'must be one line of text without control characters (escape sequences, newlines, tabs)',
  });

/** Like oneLine, for text of several lines (a note, a resolution): newlines and tabs are kept. */
export const paragraphs = (schema: z.ZodString) =>
  schema.refine((text) => !hasControlCharacter(text, '\n\t'), {
    message: 'must not contain control characters other than newlines and tabs (no escape sequences)',
  });
