import { SlipwayError } from '../../shared/errors.js';

/** A failure of the HAProxy data plane (binary, configuration, runtime socket) that the user can act on. */
export class HaproxyError extends SlipwayError {
  override readonly name: string = 'HaproxyError';
}
