import { z } from 'zod';
import { oneLine } from '../plain-text.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { strategyTypes } from '../../config/strategy.js';
import { nextWindowStart, refuseSchedule } from '../../schedule/admission.js';
import { checkApprovalsAhead } from '../../schedule/approval-check.js';
import { cancelSchedule } from '../../schedule/cancel.js';
import { checkPromotionAhead } from '../../schedule/promotion-check.js';
import { scheduleDeployment } from '../../schedule/schedule.js';
import { durationProblem, parseDuration } from '../../shared/duration.js';
import { assertEmergencyAllowed } from '../emergency.js';
import { SlipwayError } from '../../shared/errors.js';
import { listScheduled, type ScheduledDeployment } from '../../store/repos/scheduled-deployments.js';
import { scheduledEnvironment } from '../access-sources.js';
import type { ApiContext } from '../context.js';
import { assertDeclared } from '../declared-filters.js';
import { errorBody, idParams, projectParams } from '../schemas.js';
import { visibleRows } from '../visible.js';
import { configOf } from './projects.js';

const scheduledView = z.object({
  id: z.string(),
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  at: z.string(),
  notifyBeforeMs: z.number(),
  state: z.enum(['pending', 'started', 'failed', 'cancelled']),
  strategy: z.string().optional(),
  emergency: z.string().optional(),
  requestedBy: z.string().optional(),
  deployment: z.string().optional(),
  error: z.string().optional(),
  noticedAt: z.string().optional(),
  cancelledBy: z.string().optional().describe('Who cancelled it'),
  cancelReason: z.string().optional().describe('Why, as given to the cancel (--reason)'),
  waiting: z
    .object({ behind: z.string(), since: z.string(), until: z.string() })
    .optional()
    .describe(
      'Pending, its time come, behind this running deployment of its service: it starts when that one ends, or ' +
        'fails at `until` (the deployment window closes, else 1 h after `since`)',
    ),
});

function present(s: ScheduledDeployment): z.infer<typeof scheduledView> {
  return {
    id: s.id,
    service: s.service,
    environment: s.environment,
    version: s.version,
    at: s.runAt.toISOString(),
    notifyBeforeMs: s.notifyBeforeMs,
    state: s.state,
    ...(s.request.strategy ? { strategy: s.request.strategy } : {}),
    ...(s.request.emergency ? { emergency: s.request.emergency.reason } : {}),
    ...(s.requestedBy ? { requestedBy: s.requestedBy } : {}),
    ...(s.deploymentId ? { deployment: s.deploymentId } : {}),
    ...(s.error ? { error: s.error } : {}),
    ...(s.noticedAt ? { noticedAt: s.noticedAt.toISOString() } : {}),
    ...(s.cancelledBy ? { cancelledBy: s.cancelledBy } : {}),
    ...(s.cancelReason ? { cancelReason: s.cancelReason } : {}),
    ...(s.state === 'pending' && s.waitingBehind && s.waitingSince && s.waitUntil
      ? {
          waiting: {
            behind: s.waitingBehind,
            since: s.waitingSince.toISOString(),
            until: s.waitUntil.toISOString(),
          },
        }
      : {}),
  };
}

/** Deployments asked for a later time (`slipway deploy … --at`), started by the coordinator then. */
export function scheduledDeploymentRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const ofScheduled = scheduledEnvironment(ctx.db);
  return async (app) => {
    app.post(
      '/api/v1/projects/:project/scheduled-deployments',
      {
        config: { access: { action: 'deployment.schedule', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Schedule a deployment: started at `at`, announced by a maintenance.notice event notifyBefore',
          description:
            'Refused (409) when `at` falls in a freeze of the environment, unless an admin marks it an emergency. ' +
            'The pipeline (earlier environments, approvals) is checked again when it starts; a release that cannot ' +
            'meet the promotion rules by `at` is refused now (409), one that may still is accepted with a warning, ' +
            'as is one that lacks the approvals the environment needs.',
          tags: ['deployments'],
          params: projectParams,
          body: z.object({
            service: z.string().min(1),
            environment: z.string().min(1),
            version: z.string().min(1).max(64),
            at: z
              .union([z.iso.datetime({ offset: true }), z.literal('next-window')])
              .describe('When to start, e.g. 2026-12-05T22:00:00Z, or next-window (the environment windows)'),
            notifyBefore: z.string().max(20).default('1h').describe('How long before to send the maintenance notice'),
            strategy: z.enum(strategyTypes as unknown as [string, ...string[]]).optional(),
            emergency: z
              .object({ reason: oneLine(z.string().trim().min(10, 'say why, in at least 10 characters')) })
              .optional(),
          }),
          response: {
            201: z.object({
              scheduled: scheduledView,
              warnings: z.array(z.string()).optional().describe('What must happen before `at` for it to start'),
            }),
            400: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req, reply) => {
        const config = await configOf(ctx, req.params.project);
        const { body } = req;
        assertEmergencyAllowed(body.emergency, req.principal, body.environment, 'deployment');
        const problem = durationProblem(body.notifyBefore);
        if (problem) throw new SlipwayError('invalid_input', `notifyBefore: ${problem}`);
        const request = {
          service: body.service,
          environment: body.environment,
          version: body.version,
          runAt: body.at === 'next-window' ? nextWindowStart(config, body.environment, new Date()) : new Date(body.at),
          notifyBeforeMs: parseDuration(body.notifyBefore)!,
          ...(body.emergency ? { emergency: body.emergency } : {}),
          ...(body.strategy ? { strategy: body.strategy } : {}),
        };
        const now = new Date();
        refuseSchedule(config, request, now);
        const warnings = [
          ...(await checkPromotionAhead(ctx.db, config, request, now)),
          ...(await checkApprovalsAhead(ctx.db, config, request, req.principal?.name)),
        ];
        const scheduled = await scheduleDeployment(ctx.db, config.project, request, req.principal?.name);
        req.audit = { after: present(scheduled) };
        return reply.status(201).send({ scheduled: present(scheduled), ...(warnings.length > 0 ? { warnings } : {}) });
      },
    );

    app.get(
      '/api/v1/projects/:project/scheduled-deployments',
      {
        config: {
          access: {
            action: 'deployment.schedule.list',
            role: 'viewer',
            environment: 'query.environment',
            anyEnvironment: true,
          },
        },
        schema: {
          summary: 'Scheduled deployments, soonest first: pending ones, or all with all=true',
          tags: ['deployments'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().optional(),
            all: z.enum(['true', 'false']).default('false'),
          }),
          response: { 200: z.object({ scheduled: z.array(scheduledView) }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        assertDeclared(await configOf(ctx, req.params.project), { environment: req.query.environment });
        const rows = await visibleRows(
          req.principal,
          req.query.environment,
          (environment) =>
            listScheduled(ctx.db, { project: req.params.project, environment, all: req.query.all === 'true' }),
          (a, b) => a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : 1),
        );
        return { scheduled: rows.map(present) };
      },
    );

    app.post(
      '/api/v1/scheduled-deployments/:id/cancel',
      {
        // Whoever may schedule a deployment in that environment may call it off.
        config: { access: { action: 'deployment.schedule.cancel', role: 'deployer', environment: ofScheduled } },
        schema: {
          summary: 'Cancel a pending scheduled deployment (refused, 409, once it started, failed or was cancelled)',
          description:
            'Either the cancel or the start at its time wins, never both. Recorded as a ' +
            'deployment.schedule.cancelled event.',
          tags: ['deployments'],
          params: idParams,
          body: z.object({ reason: oneLine(z.string().trim().min(1).max(500)).optional() }).default({}),
          response: { 200: z.object({ scheduled: scheduledView }), 403: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const { before, after } = await cancelSchedule(ctx.db, req.params.id, {
          ...(req.principal ? { name: req.principal.name } : {}),
          ...(req.body.reason ? { reason: req.body.reason } : {}),
        });
        req.audit = { before: present(before), after: { ...present(after), reason: req.body.reason ?? null } };
        return { scheduled: present(after) };
      },
    );
  };
}
