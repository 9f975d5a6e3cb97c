import { z } from 'zod';
import { oneLine } from '../plain-text.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SlipwayError } from '../../shared/errors.js';
import { getDeployment, listDeployments } from '../../store/repos/deployments.js';
import type { DeploymentRecord } from '../../model/deployment.js';
import { deploymentNote } from '../audit-hook.js';
import type { ApiContext } from '../context.js';
import { presentDeployment, ReleaseNames } from '../present.js';
import { deploymentView, errorBody } from '../schemas.js';

/** The verbs that steer a deployment in flight, and what each does. */
export const steeringVerbs = {
  abort: 'Abort the deployment: it rolls back (a queued one is cancelled)',
  promote: 'Canary: skip the remaining steps and shift all traffic to the candidate',
  pause: 'Hold the deployment: no further step starts (a canary is still judged and rolled back if it fails)',
  resume: 'Continue a paused deployment (also ends a `pause: {}` step)',
} as const;
export type SteeringVerb = keyof typeof steeringVerbs;

/** Carry a verb out on a stored deployment, with its audit note; the deployment as it is afterwards. */
export async function steer(
  ctx: ApiContext,
  req: { principal?: { name: string }; audit?: unknown },
  id: string,
  verb: SteeringVerb,
  reason?: string,
): Promise<DeploymentRecord> {
  const by = req.principal?.name;
  const before = await getDeployment(ctx.db, id);
  const d =
    verb === 'abort'
      ? await ctx.engine.abort(id, reason ?? `aborted${by ? ` by ${by}` : ''}`, by)
      : await ctx.engine[verb](id, by);
  (req as { audit?: ReturnType<typeof deploymentNote> }).audit = deploymentNote(before, d);
  return d;
}

const serviceParams = z.object({
  project: z.string().min(1).max(100),
  environment: z.string().min(1).max(100),
  service: z.string().min(1).max(100),
});

/**
 * The same verbs addressed by service and environment — what people know at 2 a.m. The role on
 * the environment is checked before anything is read, so a caller who may not steer learns that
 * (403), not whether something is in flight.
 */
export function steerRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    for (const [verb, summary] of Object.entries(steeringVerbs) as [SteeringVerb, string][]) {
      app.post(
        `/api/v1/projects/:project/environments/:environment/services/:service/${verb}`,
        {
          config: { access: { action: `deployment.${verb}`, role: 'deployer', environment: 'params.environment' } },
          schema: {
            summary: `${summary} — the deployment in flight of this service in this environment`,
            tags: ['deployments'],
            params: serviceParams,
            body: z.object({ reason: oneLine(z.string().max(500)).optional() }).default({}),
            response: { 200: z.object({ deployment: deploymentView }), 404: errorBody, 409: errorBody },
          },
        },
        async (req) => {
          const { project, environment, service } = req.params;
          const recent = await listDeployments(ctx.db, { project, service, environment, limit: 20 });
          const inFlight = recent.find(
            (d) => d.state === 'running' || d.state === 'rolling_back' || d.state === 'queued',
          );
          if (!inFlight) {
            const last = recent[0];
            throw new SlipwayError(
              'conflict',
              `${service} has no deployment in flight in ${environment}` +
                (last ? ` (the last one, ${last.id}, ${last.state.replace('_', ' ')})` : ''),
            );
          }
          const d = await steer(ctx, req, inFlight.id, verb, req.body.reason);
          return { deployment: await presentDeployment(d, new ReleaseNames(ctx.db)) };
        },
      );
    }
  };
}
