import { z } from 'zod';
import { oneLine } from '../plain-text.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { strategyTypes } from '../../config/strategy.js';
import { assertEmergencyAllowed } from '../emergency.js';
import { SlipwayError } from '../../shared/errors.js';
import {
  activeDeployment,
  getDeployment,
  listDeployments,
  type DeploymentState,
} from '../../store/repos/deployments.js';
import { deploymentSummary } from '../audit-hook.js';
import type { ApiContext } from '../context.js';
import { presentDeployment, presentVerdict, ReleaseNames } from '../present.js';
import { listVerdicts } from '../../store/repos/verdicts.js';
import { deploymentView, errorBody, idParams, projectParams, verdictView } from '../schemas.js';
import { configOf } from './projects.js';
import { steer, steeringVerbs } from './steer.js';
import { deploymentEnvironment } from '../access-sources.js';
import { visibleRows } from '../visible.js';

const states = ['queued', 'running', 'rolling_back', 'succeeded', 'rolled_back', 'failed', 'cancelled'] as const;

export function deploymentRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const ofDeployment = deploymentEnvironment(ctx.db);
  return async (app) => {
    app.post(
      '/api/v1/projects/:project/deployments',
      {
        config: { access: { action: 'deployment.create', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Deploy a release of a service to an environment',
          description:
            'Refused with 409 while another deployment of the same service and environment runs, unless `queue` is ' +
            'true.',
          tags: ['deployments'],
          params: projectParams,
          body: z.object({
            service: z.string().min(1),
            environment: z.string().min(1),
            version: z.string().min(1).max(64),
            strategy: z.enum(strategyTypes as unknown as [string, ...string[]]).optional(),
            set: z
              .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string())
              .optional(),
            queue: z.boolean().default(false),
            emergency: z
              .object({
                reason: oneLine(
                  z
                    .string()
                    .trim()
                    .min(10, 'say why, in at least 10 characters: it is shown wherever this deployment appears'),
                ),
              })
              .optional()
              .describe(
                'Deploy through a freeze window: admins only; marked on the deployment, its events and the audit log',
              ),
          }),
          response: {
            201: z.object({ deployment: deploymentView }),
            400: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req, reply) => {
        await configOf(ctx, req.params.project);
        assertEmergencyAllowed(req.body.emergency, req.principal, req.body.environment, 'deployment');
        const d = await ctx.engine.deploy({
          project: req.params.project,
          service: req.body.service,
          environment: req.body.environment,
          version: req.body.version,
          ...(req.body.strategy ? { strategy: req.body.strategy as (typeof strategyTypes)[number] } : {}),
          ...(req.body.set ? { sets: req.body.set } : {}),
          queue: req.body.queue,
          requestedBy: req.principal?.name,
          ...(req.body.emergency ? { emergency: req.body.emergency } : {}),
        });
        req.audit = {
          after: {
            deployment: d.id,
            release: d.toRelease,
            version: req.body.version,
            strategy: d.strategy,
            state: d.state,
            ...(req.body.emergency ? { emergency: req.body.emergency.reason } : {}),
          },
        };
        return reply.status(201).send({ deployment: await presentDeployment(d, new ReleaseNames(ctx.db)) });
      },
    );

    app.post(
      '/api/v1/projects/:project/rollbacks',
      {
        config: { access: { action: 'deployment.rollback', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Roll a service back in an environment',
          description:
            'Aborts the deployment in flight (it rolls back), or deploys the previous release again — reusing its ' +
            'warm instances when it still has them.',
          tags: ['deployments'],
          params: projectParams,
          body: z.object({ service: z.string().min(1), environment: z.string().min(1) }),
          response: {
            201: z.object({ deployment: deploymentView, aborted: z.boolean() }),
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req, reply) => {
        await configOf(ctx, req.params.project);
        const inFlight = await activeDeployment(ctx.db, req.params.project, req.body.service, req.body.environment);
        const { deployment, aborted } = await ctx.engine.rollback({
          project: req.params.project,
          ...req.body,
          requestedBy: req.principal?.name,
        });
        req.audit = {
          before: inFlight ? deploymentSummary(inFlight) : null,
          after: { ...deploymentSummary(deployment), kind: deployment.kind, release: deployment.toRelease, aborted },
        };
        return reply
          .status(201)
          .send({ deployment: await presentDeployment(deployment, new ReleaseNames(ctx.db)), aborted });
      },
    );

    app.get(
      '/api/v1/deployments',
      {
        config: {
          access: { action: 'deployment.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Deployments, newest first',
          tags: ['deployments'],
          querystring: z.object({
            project: z.string().optional(),
            service: z.string().optional(),
            environment: z.string().optional(),
            state: z.enum(states).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(50),
          }),
          response: { 200: z.object({ deployments: z.array(deploymentView) }) },
        },
      },
      async (req) => {
        const names = new ReleaseNames(ctx.db);
        const states = req.query.state ? [req.query.state as DeploymentState] : undefined;
        const list = await visibleRows(
          req.principal,
          req.query.environment,
          (environment) => listDeployments(ctx.db, { ...req.query, environment, states }),
          (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
          req.query.limit,
        );
        return { deployments: await Promise.all(list.map((d) => presentDeployment(d, names))) };
      },
    );

    app.get(
      '/api/v1/deployments/:id',
      {
        config: { access: { action: 'deployment.read', role: 'viewer', environment: ofDeployment } },
        schema: {
          summary: 'One deployment with its plan and progress',
          tags: ['deployments'],
          params: idParams,
          response: { 200: z.object({ deployment: deploymentView }), 404: errorBody },
        },
      },
      async (req) => {
        const d = await getDeployment(ctx.db, req.params.id);
        if (!d) throw new SlipwayError('not_found', `no deployment ${req.params.id}`);
        return { deployment: await presentDeployment(d, new ReleaseNames(ctx.db)) };
      },
    );

    for (const verb of ['promote', 'pause', 'resume'] as const) {
      app.post(
        `/api/v1/deployments/:id/${verb}`,
        {
          config: { access: { action: `deployment.${verb}`, role: 'deployer', environment: ofDeployment } },
          schema: {
            summary: steeringVerbs[verb],
            tags: ['deployments'],
            params: idParams,
            response: { 200: z.object({ deployment: deploymentView }), 404: errorBody, 409: errorBody },
          },
        },
        async (req) => {
          const d = await steer(ctx, req, req.params.id, verb);
          return { deployment: await presentDeployment(d, new ReleaseNames(ctx.db)) };
        },
      );
    }

    app.get(
      '/api/v1/deployments/:id/verdicts',
      {
        config: { access: { action: 'deployment.verdicts', role: 'viewer', environment: ofDeployment } },
        schema: {
          summary: "The canary judge's verdicts with their explanation, newest first",
          tags: ['deployments'],
          params: idParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
          response: { 200: z.object({ verdicts: z.array(verdictView) }), 404: errorBody },
        },
      },
      async (req) => {
        if (!(await getDeployment(ctx.db, req.params.id)))
          throw new SlipwayError('not_found', `no deployment ${req.params.id}`);
        return { verdicts: (await listVerdicts(ctx.db, req.params.id, req.query.limit)).map(presentVerdict) };
      },
    );

    app.post(
      '/api/v1/deployments/:id/abort',
      {
        config: { access: { action: 'deployment.abort', role: 'deployer', environment: ofDeployment } },
        schema: {
          summary: steeringVerbs.abort,
          tags: ['deployments'],
          params: idParams,
          body: z.object({ reason: oneLine(z.string().max(500)).optional() }).default({}),
          response: { 200: z.object({ deployment: deploymentView }), 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const d = await steer(ctx, req, req.params.id, 'abort', req.body.reason);
        return { deployment: await presentDeployment(d, new ReleaseNames(ctx.db)) };
      },
    );
  };
}
