/** C0 controls, DEL and C1 controls (0x9b alone starts an escape sequence on some terminals). */
export const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f);

/**
 * Whether text from people holds a control character other than those in `allowed` (a note may keep its
 * newlines and tabs): such text would act on a terminal that prints it (colours, cursor moves, a new line
 * inside a table row) instead of showing.
 */
export function hasControlCharacter(text: string, allowed = ''): boolean {
  for (const c of text) if (isControl(c.charCodeAt(0)) && !allowed.includes(c)) return true;
  return false;
}
