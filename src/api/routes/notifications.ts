import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listNotifyDeliveries, type NotifyDelivery } from '../../store/repos/notify-deliveries.js';
import type { ApiContext } from '../context.js';
import { assertDeclared } from '../declared-filters.js';
import { errorBody, projectParams } from '../schemas.js';
import { visibleRows } from '../visible.js';
import { configOf } from './projects.js';

const deliveryView = z.object({
  id: z.number(),
  key: z.string(),
  event: z.number(),
  trigger: z.string(),
  target: z.string(),
  type: z.string(),
  environment: z.string().optional(),
  service: z.string().optional(),
  deployment: z.string().optional(),
  title: z.string(),
  state: z.enum(['pending', 'sending', 'sent', 'failed']),
  attempts: z.number(),
  lastStatus: z.number().optional(),
  lastError: z.string().optional(),
  renderError: z.string().optional(),
  createdAt: z.string(),
  nextAt: z.string().optional(),
  sentAt: z.string().optional(),
});

/** A delivery as shown: the message title, never the message's destination (URLs live in secrets only). */
function present(d: NotifyDelivery): z.infer<typeof deliveryView> {
  return {
    id: d.id,
    key: d.key,
    event: d.eventId,
    trigger: d.trigger,
    target: d.target,
    type: d.targetType,
    ...(d.environment ? { environment: d.environment } : {}),
    ...(d.service ? { service: d.service } : {}),
    ...(d.deploymentId ? { deployment: d.deploymentId } : {}),
    title: String(d.message.title ?? ''),
    state: d.state,
    attempts: d.attempts,
    ...(d.lastStatus !== undefined ? { lastStatus: d.lastStatus } : {}),
    ...(d.lastError ? { lastError: d.lastError } : {}),
    ...(d.renderError ? { renderError: d.renderError } : {}),
    createdAt: d.createdAt.toISOString(),
    ...(d.state === 'pending' ? { nextAt: d.nextAt.toISOString() } : {}),
    ...(d.sentAt ? { sentAt: d.sentAt.toISOString() } : {}),
  };
}

/** The notification outbox: what was sent where, what is waiting for a retry, what failed and why. */
export function notificationRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/notifications',
      {
        config: {
          access: {
            action: 'notification.list',
            role: 'viewer',
            environment: 'query.environment',
            anyEnvironment: true,
          },
        },
        schema: {
          summary: 'Notification deliveries, newest first',
          description:
            'Every message the notification subscriptions produced: its state (pending, sending, sent, failed), ' +
            'attempts, and the last answer or error (URLs and tokens are never recorded).',
          tags: ['notifications'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().optional(),
            state: z.enum(['pending', 'sending', 'sent', 'failed']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
          }),
          response: {
            200: z.object({ notifications: z.array(deliveryView) }),
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        const { environment, state, limit } = req.query;
        assertDeclared(await configOf(ctx, req.params.project), { environment });
        const rows = await visibleRows(
          req.principal,
          environment,
          (env) => listNotifyDeliveries(ctx.db, { project: req.params.project, environment: env, state, limit }),
          (a, b) => b.id - a.id,
          limit,
        );
        return { notifications: rows.map(present) };
      },
    );
  };
}
