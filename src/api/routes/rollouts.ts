import { z } from 'zod';
import { oneLine } from '../plain-text.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertEmergencyAllowed } from '../emergency.js';
import { SlipwayError } from '../../shared/errors.js';
import { getRollout, listRollouts } from '../../store/repos/rollouts.js';
import { rolloutEnvironment } from '../access-sources.js';
import type { ApiContext } from '../context.js';
import { presentRollout } from '../present-rollout.js';
import { errorBody, idParams, projectParams, rolloutView } from '../schemas.js';
import { visibleRows } from '../visible.js';
import { configOf } from './projects.js';

const emergencyField = z
  .object({
    reason: oneLine(
      z.string().trim().min(10, 'say why, in at least 10 characters: it is shown wherever this release appears'),
    ),
  })
  .optional()
  .describe('Release through a freeze window: admins only; marked on every component deployment and the audit log');

/** A release of the whole project into an environment (a rollout), and what became of it. */
export function rolloutRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const ofRollout = rolloutEnvironment(ctx.db);
  return async (app) => {
    app.post(
      '/api/v1/projects/:project/rollouts',
      {
        config: { access: { action: 'rollout.create', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Release every component of the project to an environment, in dependency order, as one thing',
          description:
            'Each component (service) moves by a deployment of its own, level by level (`dependsOn`; default: the ' +
            'database service first). Freezes, promotion rules and approvals are checked for the release as a whole ' +
            'before anything moves. When a component fails or is rolled back, the components that moved are rolled ' +
            'back in reverse order.',
          tags: ['rollouts'],
          params: projectParams,
          body: z.object({
            environment: z.string().min(1),
            version: z.string().min(1).max(64),
            services: z.array(z.string().min(1)).min(1).max(200).optional().describe('Only these (default: all)'),
            emergency: emergencyField,
          }),
          response: {
            201: z.object({ rollout: rolloutView }),
            400: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req, reply) => {
        await configOf(ctx, req.params.project);
        assertEmergencyAllowed(req.body.emergency, req.principal, req.body.environment, 'release');
        const rollout = await ctx.engine.release({
          project: req.params.project,
          environment: req.body.environment,
          version: req.body.version,
          ...(req.body.services ? { services: [...new Set(req.body.services)] } : {}),
          ...(req.principal ? { requestedBy: req.principal.name } : {}),
          ...(req.body.emergency ? { emergency: req.body.emergency } : {}),
        });
        req.audit = {
          after: {
            rollout: rollout.id,
            version: rollout.version,
            components: rollout.components.map((c) => c.service),
            ...(req.body.emergency ? { emergency: req.body.emergency.reason } : {}),
          },
        };
        return reply.status(201).send({ rollout: presentRollout(rollout) });
      },
    );

    app.get(
      '/api/v1/projects/:project/rollouts',
      {
        config: {
          access: { action: 'rollout.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: "A project's rollouts (releases of the whole project), newest first",
          tags: ['rollouts'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().min(1).optional(),
            version: z.string().min(1).max(64).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(20),
          }),
          response: { 200: z.object({ rollouts: z.array(rolloutView) }), 404: errorBody },
        },
      },
      async (req) => {
        await configOf(ctx, req.params.project);
        const list = await visibleRows(
          req.principal,
          req.query.environment,
          (environment) => listRollouts(ctx.db, { project: req.params.project, ...req.query, environment }),
          (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
          req.query.limit,
        );
        return { rollouts: list.map(presentRollout) };
      },
    );

    app.get(
      '/api/v1/rollouts/:id',
      {
        config: { access: { action: 'rollout.read', role: 'viewer', environment: ofRollout } },
        schema: {
          summary: 'One rollout with its components',
          tags: ['rollouts'],
          params: idParams,
          response: { 200: z.object({ rollout: rolloutView }), 404: errorBody },
        },
      },
      async (req) => {
        const r = await getRollout(ctx.db, req.params.id);
        if (!r) throw new SlipwayError('not_found', `no rollout ${req.params.id}`);
        return { rollout: presentRollout(r) };
      },
    );

    app.post(
      '/api/v1/rollouts/:id/rollback',
      {
        config: { access: { action: 'rollout.rollback', role: 'deployer', environment: ofRollout } },
        schema: {
          summary: 'Roll the whole release back: what moved goes back in reverse order',
          tags: ['rollouts'],
          params: idParams,
          response: { 200: z.object({ rollout: rolloutView }), 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const before = await getRollout(ctx.db, req.params.id);
        const r = await ctx.engine.rollouts.rollBack(req.params.id, req.principal?.name);
        req.audit = { before: before ? { state: before.state } : null, after: { rollout: r.id, state: r.state } };
        return { rollout: presentRollout(r) };
      },
    );
  };
}
