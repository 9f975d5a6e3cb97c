import { SlipwayError } from '../../shared/errors.js';

/** A failure of the built-in proxy or its admin API that the user can act on. */
export class ProxyError extends SlipwayError {
  override readonly name: string = 'ProxyError';
}
