/**
 * What the engine asks before anything of a release moves, as an interface (the engine never
 * imports an adapter): app/ checks the release's own files — a frontend build that exists and
 * has index.html, a bundle within its budget. A deployment or a release of the whole project is
 * refused by it at once, with nothing started, instead of failing minutes later.
 */
import type { ResolvedService } from '../config/model.js';

export interface PreflightInput {
  project: string;
  environment: string;
  /** The service as configured in that environment. */
  service: ResolvedService;
  version: string;
  /** The release live there now, for comparisons (bundle growth). */
  stableVersion?: string;
  /** The project's data directory (where published frontend builds live). */
  dataDir: string;
}

export interface ReleasePreflight {
  /** Read-only and idempotent; throws a SlipwayError naming the file and the problem. */
  check(input: PreflightInput): Promise<void>;
}
