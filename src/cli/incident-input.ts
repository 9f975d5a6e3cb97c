import { hasControlCharacter } from '../shared/control-characters.js';
import { describeCharacter, firstInvisible } from '../shared/invisible-characters.js';
import { CliError } from './errors.js';

/**
 * Incident text checked before the request, against the API's limits (src/api/routes/incidents.ts), so a
 * refusal names the argument or flag the user typed rather than the API's field (`body.title: Too small`).
 */
export function checkIncidentTitle(title: string): void {
  const length = title.trim().length;
  if (length < 3)
    throw new CliError('invalid_input', `the title is too short: say what is wrong in 3 characters or more`);
  if (length > 300) throw new CliError('invalid_input', `the title is ${length} characters long: at most 300`);
  if (hasControlCharacter(title))
    throw new CliError('invalid_input', 'the title must be one line, without control characters (escape sequences)');
  refuseInvisible(title, 'the title');
}

/** --resolution and a note's text: up to `max` characters, several lines allowed. */
export function checkIncidentText(text: string, what: string, max: number): void {
  const length = text.trim().length;
  if (length > max) throw new CliError('invalid_input', `${what} is ${length} characters long: at most ${max}`);
  if (hasControlCharacter(text, '\n\t'))
    throw new CliError('invalid_input', `${what} must not contain control characters other than newlines and tabs`);
  refuseInvisible(text, what);
}

/** Bidirectional controls and zero-width characters, refused as the API refuses them (src/api/plain-text.ts). */
function refuseInvisible(text: string, what: string): void {
  const code = firstInvisible(text);
  if (code !== undefined)
    throw new CliError(
      'invalid_input',
      `${what} contains ${describeCharacter(code)}, an invisible character that reorders or hides text: remove it`,
    );
}
