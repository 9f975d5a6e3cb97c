import { allows, describeGrants } from '../access/authorize.js';
import type { Principal } from '../access/types.js';
import { SlipwayError } from '../shared/errors.js';

/**
 * Only an admin of the environment may deploy or release through a freeze as an emergency; the refusal names the
 * token and what it holds. Shared by deployments, scheduled deployments and releases of several services.
 */
export function assertEmergencyAllowed(
  emergency: unknown,
  principal: Principal | undefined,
  environment: string,
  what: 'deployment' | 'release',
): void {
  if (!emergency || (principal && allows(principal, 'admin', environment))) return;
  throw new SlipwayError(
    'forbidden',
    `an emergency ${what} needs admin on ${environment}; token "${principal?.name}" has ` +
      `${describeGrants(principal?.grants ?? [])}`,
  );
}
