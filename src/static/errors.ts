import { SlipwayError } from '../shared/errors.js';

/**
 * Why a static release cannot be served: its build directory is missing, unreadable or has no
 * index.html, or the store cannot be written. The message names the path; the server prints it
 * as its one line before exiting, so it reaches the deployment's crash report.
 */
export class StaticSiteError extends SlipwayError {
  override readonly name = 'StaticSiteError';
}
