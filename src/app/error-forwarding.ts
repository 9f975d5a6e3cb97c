import type { SecretVault } from '../access/secrets/vault.js';
import type { Logger } from '../shared/logging.js';
import type { Registry } from 'prom-client';
import { SentryForwarder } from '../observe/errors/forwarder.js';

/**
 * The relay to the team's own Sentry, when `errors.forward` names the secret holding its DSN.
 * Secrets are decrypted once per environment per 10 s, not once per envelope.
 */
export function errorForwarder(
  forward: { dsnSecret?: string } | undefined,
  secrets: Pick<SecretVault, 'environmentFor'>,
  logger: Logger,
  registry?: Registry,
): SentryForwarder | undefined {
  const dsnSecret = forward?.dsnSecret;
  if (!dsnSecret) return undefined;
  const cache = new Map<string, { dsn: string | undefined; until: number }>();
  return new SentryForwarder({
    logger,
    registry,
    upstreamFor: async (project, environment) => {
      const key = `${project}\u0001${environment}`;
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.dsn;
      const dsn = (await secrets.environmentFor({ project, environment }))[dsnSecret] || undefined;
      cache.set(key, { dsn, until: Date.now() + 10_000 });
      return dsn;
    },
  });
}
