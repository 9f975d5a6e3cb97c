import { appendAudit } from '../access/audit/chain.js';
import type { Logger } from '../shared/logging.js';
import { messageOf } from '../shared/errors.js';
import type { Db } from '../store/db.js';

/** Who the audit log names for a decision the engine made by itself (no token, no person). */
export const automaticActors = {
  watch: 'slipway (post-deploy watch)',
  canary: 'slipway (canary judge)',
} as const;

/**
 * Record in the audit log a rollback the engine decided by itself, as the API records one a person asks for:
 * "a rollback from the watch is an ordinary rollback: recorded, audited, explained". Best effort: the rollback is
 * already under way, and a store that refuses the row must not undo it; the loss is logged.
 * Example: await auditAutomaticRollback(db, logger, { actor: automaticActors.watch, action, place: d, deployment, … })
 */
export async function auditAutomaticRollback(
  db: Db,
  logger: Logger,
  entry: {
    actor: string;
    action: 'deployment.rollback' | 'deployment.abort';
    /** Where (a deployment record will do). */
    place: { project: string; service: string; environment: string };
    /** The deployment that rolls back (a rollback deployment, or the aborted canary). */
    deployment: string;
    reason: string;
  },
): Promise<void> {
  try {
    await appendAudit(db, {
      actor: entry.actor,
      action: entry.action,
      target: `project=${entry.place.project} service=${entry.place.service} environment=${entry.place.environment}`,
      source: 'coordinator',
      outcome: 'allowed',
      status: entry.action === 'deployment.rollback' ? 201 : 200,
      after: { deployment: entry.deployment, reason: entry.reason.slice(0, 500) },
    });
  } catch (e) {
    logger.warn({ deployment: entry.deployment, err: messageOf(e) }, 'could not audit an automatic rollback');
  }
}
