import { SlipwayError } from '../../shared/errors.js';

/** Variables the runtime sets itself (src/runtimes/local/instance-env.ts): a secret could never reach the instance
 * under these names. */
const reservedNames = new Set(['PORT']);
const reservedPrefix = 'SLIPWAY_';
const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Secrets become environment variables; one larger than this is a file, not a variable. */
export const maxSecretBytes = 64 * 1024;

/** A secret's name is the variable name the instances see. */
export function checkSecretName(name: string): void {
  if (name.length > 128 || !namePattern.test(name)) {
    throw new SlipwayError(
      'invalid_input',
      `secret name "${name.slice(0, 128)}" is not an environment variable name (letters, digits and _, not starting ` +
        `with a digit, at most 128 characters)`,
    );
  }
  if (reservedNames.has(name) || name.toUpperCase().startsWith(reservedPrefix)) {
    throw new SlipwayError(
      'invalid_input',
      `secret name "${name}" is reserved: Slipway sets PORT and SLIPWAY_* for every instance itself`,
    );
  }
}

/** Check a value without ever quoting it. */
export function checkSecretValue(name: string, value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxSecretBytes)
    throw new SlipwayError(
      'invalid_input',
      `secret ${name} is ${bytes} bytes; at most ${maxSecretBytes} fit in an environment variable here`,
    );
  if (value.includes('\0'))
    throw new SlipwayError(
      'invalid_input',
      `secret ${name} contains a NUL byte, which an environment variable cannot hold`,
    );
}
