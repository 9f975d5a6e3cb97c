import type { ProjectConfig } from '../config/model.js';
import { isSlipwayError } from '../shared/errors.js';
import { recordReleaseCommit } from '../store/repos/release-commits.js';
import type { DeliveryResult } from '../store/repos/webhook-deliveries.js';
import { planPush } from '../triggers/plan.js';
import type { PushEvent } from '../triggers/push-event.js';
import type { ApiContext } from './context.js';

/**
 * Carry out a verified push for each project whose secret signed it: every planned deployment
 * goes through the engine (so freezes and promotion rules apply, and it queues behind a running
 * deployment of the same service rather than losing the newer commit). A refusal is a result,
 * not an error: GitHub must not retry it.
 */
export async function triggerPush(
  ctx: ApiContext,
  projects: readonly ProjectConfig[],
  push: PushEvent,
  delivery: string,
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  for (const config of projects) {
    const plan = planPush(config, push);
    if ('ignored' in plan) {
      results.push({ project: config.project, ignored: plan.ignored });
      continue;
    }
    for (const planned of plan.deploy) {
      const result: DeliveryResult = { ...planned };
      // Known before it is deployed: a release refused now and deployed later by hand still has its commit time.
      if (push.committedAt) {
        await recordReleaseCommit(ctx.db, { ...planned, sha: push.sha, committedAt: push.committedAt, delivery });
      }
      try {
        const d = await ctx.engine.deploy({ ...planned, queue: true, requestedBy: `github:${push.pusher}` });
        Object.assign(result, { deployment: d.id, state: d.state });
      } catch (e) {
        if (!isSlipwayError(e) || e.code === 'internal' || e.code === 'unavailable') throw e;
        result.refused = e.message;
      }
      results.push(result);
      await ctx.events.emit({
        project: planned.project,
        ...(result.deployment ? { deploymentId: result.deployment } : {}),
        service: planned.service,
        environment: planned.environment,
        kind: result.refused ? 'trigger.refused' : 'trigger.deployed',
        message: result.refused
          ? `push of ${push.sha.slice(0, 7)} to ${push.branch} by ${push.pusher}: ${planned.service} ` +
            `${planned.version} not deployed to ${planned.environment}: ${result.refused}`
          : `push of ${push.sha.slice(0, 7)} to ${push.branch} by ${push.pusher}: deploying ${planned.service} ` +
            `${planned.version} to ${planned.environment}`,
        data: {
          delivery,
          repository: push.repository,
          branch: push.branch,
          sha: push.sha,
          version: planned.version,
          ...(result.refused ? { refused: result.refused } : {}),
        },
      });
    }
  }
  return results;
}

/** One word for a delivery's results: some deployment started, all were refused, or nothing was asked. */
export function outcomeOf(results: readonly DeliveryResult[]): 'triggered' | 'refused' | 'ignored' {
  if (results.some((r) => r.deployment)) return 'triggered';
  return results.some((r) => r.refused) ? 'refused' : 'ignored';
}
