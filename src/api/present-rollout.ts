import type { z } from 'zod';
import type { RolloutRecord } from '../model/rollout.js';
import type { rolloutView } from './schemas.js';

/** A rollout as the API shows it: components with versions, never release ids alone. */
export function presentRollout(r: RolloutRecord): z.infer<typeof rolloutView> {
  return {
    id: r.id,
    project: r.project,
    environment: r.environment,
    version: r.version,
    state: r.state,
    reason: r.reason ?? null,
    requestedBy: r.requestedBy ?? null,
    emergency: r.settings.emergency ?? null,
    components: r.components.map((c) => ({
      service: c.service,
      level: c.level,
      phase: c.phase,
      from: c.fromVersion ?? null,
      to: r.version,
      deployment: c.deployment ?? null,
      rollback: c.rollback ?? null,
      reason: c.reason ?? null,
    })),
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    watchUntil: r.watchUntil?.toISOString() ?? null,
  };
}
