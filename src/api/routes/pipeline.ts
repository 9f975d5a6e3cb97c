import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SlipwayError } from '../../shared/errors.js';
import { getReleaseByVersion } from '../../store/repos/releases.js';
import type { ApiContext } from '../context.js';
import { presentDeployment, ReleaseNames } from '../present.js';
import { deploymentView, errorBody, projectParams, rolloutView } from '../schemas.js';
import { presentRollout } from '../present-rollout.js';
import { getDeployment } from '../../store/repos/deployments.js';
import { configOf } from './projects.js';

const stageView = z.object({
  environment: z.string(),
  state: z.enum(['live', 'deployed', 'failed', 'ready', 'waiting']),
  waitsFor: z.array(z.string()).describe('What the release still waits for before it may enter this environment'),
});
const releaseStagesView = z.object({
  service: z.string(),
  version: z.string(),
  createdAt: z.string(),
  stages: z
    .array(stageView)
    .describe(
      'In promotion order: the environments it went to, and those after the last of them; an environment it ' +
        'skipped (never deployed there, but to a later one) is left out',
    ),
});

/** The release pipeline: where each release is, and promoting a release to the next environment. */
export function pipelineRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/pipeline',
      {
        // Release positions are per environment but carry no instance or config detail.
        config: { access: { action: 'pipeline.read', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'Per release: where it is in each environment and what it still waits for',
          tags: ['releases'],
          params: projectParams,
          response: { 200: z.object({ releases: z.array(releaseStagesView) }), 404: errorBody },
        },
      },
      async (req) => {
        await configOf(ctx, req.params.project);
        return { releases: await ctx.engine.pipeline(req.params.project) };
      },
    );

    app.post(
      '/api/v1/projects/:project/releases/:version/promote',
      {
        config: { access: { action: 'release.promote', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Deploy a release that exists (it was deployed somewhere before) to the next environment',
          description:
            'Every service with a release of this version, as one release of the project (a rollout: dependency ' +
            'order, rolled back together; `deployments` are its first level), or only `service` as a deployment ' +
            "of its own. The environment's promotion rules, approvals and freezes apply to the release as a whole.",
          tags: ['releases'],
          params: projectParams.extend({ version: z.string().min(1).max(64) }),
          body: z.object({
            environment: z.string().min(1),
            service: z.string().min(1).optional(),
            queue: z.boolean().default(false),
          }),
          response: {
            201: z.object({ deployments: z.array(deploymentView), rollout: rolloutView.optional() }),
            400: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req, reply) => {
        const config = await configOf(ctx, req.params.project);
        const services = req.body.service ? [req.body.service] : config.services.map((s) => s.name);
        const carrying = [];
        for (const service of services)
          if (await getReleaseByVersion(ctx.db, req.params.project, service, req.params.version))
            carrying.push(service);
        if (carrying.length === 0) {
          throw new SlipwayError(
            'not_found',
            `no release ${req.params.version}${req.body.service ? ` of ${req.body.service}` : ''} has been deployed ` +
              `anywhere yet; deploy it to the first environment with slipway deploy`,
          );
        }
        const names = new ReleaseNames(ctx.db);
        if (!req.body.service) {
          const rollout = await ctx.engine.release({
            project: req.params.project,
            environment: req.body.environment,
            version: req.params.version,
            services: carrying,
            ...(req.principal ? { requestedBy: req.principal.name } : {}),
          });
          const started = [];
          for (const c of rollout.components) {
            const d = c.deployment ? await getDeployment(ctx.db, c.deployment) : undefined;
            if (d) started.push(await presentDeployment(d, names));
          }
          req.audit = {
            after: { version: req.params.version, environment: req.body.environment, rollout: rollout.id },
          };
          return reply.status(201).send({ deployments: started, rollout: presentRollout(rollout) });
        }
        const deployments = [];
        for (const service of carrying) {
          const d = await ctx.engine.deploy({
            project: req.params.project,
            service,
            environment: req.body.environment,
            version: req.params.version,
            queue: req.body.queue,
            requestedBy: req.principal?.name,
          });
          deployments.push(await presentDeployment(d, names));
        }
        req.audit = {
          after: {
            version: req.params.version,
            environment: req.body.environment,
            deployments: deployments.map((d) => d.id),
          },
        };
        return reply.status(201).send({ deployments });
      },
    );
  };
}
