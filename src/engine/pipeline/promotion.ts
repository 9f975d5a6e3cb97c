/**
 * Promotion rules: a release may enter an environment only after it succeeded in each of the
 * environments it `requires`, and has been there at least `soakMs`.
 */
import type { EnvironmentConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { firstSucceededAt } from '../../store/repos/deployments.js';
import { getReleaseByVersion } from '../../store/repos/releases.js';

/** Something a release still waits for before it may enter an environment. */
export interface PromotionWait {
  environment: string;
  reason: string;
  /** When the wait ends by itself (a soak), if it does. */
  readyAt?: Date;
}

/** What `version` of `service` still waits for before it may be deployed to `target`; empty = may go. */
export async function promotionWaits(
  db: Queryable,
  project: string,
  service: string,
  version: string,
  target: EnvironmentConfig,
  now: Date,
): Promise<PromotionWait[]> {
  if (!target.requires?.length) return []; // absent in configs stored by older versions
  const release = await getReleaseByVersion(db, project, service, version);
  const succeeded = new Map<string, Date | undefined>();
  for (const environment of target.requires)
    succeeded.set(
      environment,
      release ? await firstSucceededAt(db, project, service, environment, release.id) : undefined,
    );
  return waitsGiven(service, version, target, now, (environment) => succeeded.get(environment));
}

/**
 * The rule itself, given when the release first succeeded in each environment: for callers that
 * already hold the deployments (the pipeline view), so they need not ask the store again.
 */
export function waitsGiven(
  service: string,
  version: string,
  target: EnvironmentConfig,
  now: Date,
  succeededAt: (environment: string) => Date | undefined,
): PromotionWait[] {
  const waits: PromotionWait[] = [];
  for (const environment of target.requires ?? []) {
    const at = succeededAt(environment);
    if (!at) {
      waits.push({
        environment,
        reason: `${service} ${version} has not been deployed successfully to ${environment} yet`,
      });
      continue;
    }
    const readyAt = new Date(at.getTime() + target.soakMs);
    if (readyAt > now) {
      waits.push({
        environment,
        reason:
          `${service} ${version} has soaked in ${environment} for ${minutes(now.getTime() - at.getTime())} of ` +
          `${minutes(target.soakMs)}`,
        readyAt,
      });
    }
  }
  return waits;
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 1 ? `${m}m` : `${Math.floor(ms / 1000)}s`;
}
