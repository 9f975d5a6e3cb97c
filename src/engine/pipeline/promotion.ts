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
export async function promotionWaits(db: Queryable, project: string, service: string, version: string, target: EnvironmentConfig, now: Date): Promise<PromotionWait[]> {
  if (!target.requires?.length) return []; // absent in configs stored by older versions
  const release = await getReleaseByVersion(db, project, service, version);
  const waits: PromotionWait[] = [];
  for (const environment of target.requires) {
    const succeededAt = release ? await firstSucceededAt(db, project, service, environment, release.id) : undefined;
    if (!succeededAt) {
      waits.push({ environment, reason: `${service} ${version} has not been deployed successfully to ${environment} yet` });
      continue;
    }
    const readyAt = new Date(succeededAt.getTime() + target.soakMs);
    if (readyAt > now) {
      waits.push({ environment, reason: `${service} ${version} has soaked in ${environment} for ${minutes(now.getTime() - succeededAt.getTime())} of ${minutes(target.soakMs)}`, readyAt });
    }
  }
  return waits;
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 1 ? `${m}m` : `${Math.floor(ms / 1000)}s`;
}
