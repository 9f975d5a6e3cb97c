import { dsnOf, ensureDsnKey } from '../observe/errors/dsn.js';
import type { InstanceSpec } from '../model/instance.js';
import type { Queryable } from '../store/db.js';

/** A host instances can reach the coordinator on (a wildcard listen address is reached on loopback). */
export function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * SENTRY_DSN for an instance: its environment's DSN on this coordinator, unless the release
 * configures its own (a team's real Sentry), or sets it empty (`SENTRY_DSN: ""`, the SDKs' way to turn reporting
 * off). Given at each start, like secrets, never stored.
 */
export async function sentryDsnEnv(
  db: Queryable,
  spec: Pick<InstanceSpec, 'project' | 'environment' | 'env'>,
  coordinatorUrl: () => string,
): Promise<Record<string, string>> {
  if (spec.env.SENTRY_DSN !== undefined) return {};
  const key = await ensureDsnKey(db, spec.project, spec.environment);
  return { SENTRY_DSN: dsnOf(key, coordinatorUrl()) };
}
