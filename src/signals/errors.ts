import { SlipwayError } from '../shared/errors.js';

/**
 * A signal source built with options it cannot work with (bad address, no metrics, duplicate
 * names). Only constructors throw it: once built, a source reports failures as measurements.
 */
export class SignalError extends SlipwayError {
  override readonly name: string = 'SignalError';
}

/** Throw an `invalid_input` SignalError naming the option (`where`) that is wrong. */
export function invalidOption(where: string, problem: string): never {
  throw new SignalError('invalid_input', `${where}: ${problem}`, { path: where });
}
