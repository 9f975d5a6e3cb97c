import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SlipwayError } from '../../shared/errors.js';
import {
  getNotifyDelivery,
  listNotifyDeliveries,
  type NotifyDelivery,
  retryFailedDelivery,
} from '../../store/repos/notify-deliveries.js';
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
  /** notifications.retry.attempts of the project's config as it is now: attempts of maxAttempts. */
  maxAttempts: z.number().optional(),
  lastStatus: z.number().optional(),
  lastError: z.string().optional(),
  renderError: z.string().optional(),
  createdAt: z.string(),
  nextAt: z.string().optional(),
  sentAt: z.string().optional(),
  /** When the last attempt ended (sent, failed, or to be retried). */
  lastAttemptAt: z.string().optional(),
});

// A string, not a coerced number: the audit log's target takes the route's params as written (id=N).
const deliveryParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,15}$/, 'a delivery id (a number)') });

/**
 * `config.access.environment` of a route addressed by delivery id: the delivery's environment (none: project-wide,
 * the role on '*'). A missing delivery is a 404 before authorization: there is no environment to check.
 */
function deliveryEnvironment(ctx: ApiContext) {
  return async (req: { params: unknown }): Promise<string | null> => {
    const id = Number((req.params as { id: unknown }).id);
    const d = Number.isSafeInteger(id) && id > 0 ? await getNotifyDelivery(ctx.db, id) : undefined;
    if (!d)
      throw new SlipwayError('not_found', `no notification delivery ${String((req.params as { id: unknown }).id)}`);
    return d.environment ?? null;
  };
}

/** A delivery as shown: the message title, never the message's destination (URLs live in secrets only). */
function present(d: NotifyDelivery, maxAttempts: number | undefined): z.infer<typeof deliveryView> {
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
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(d.lastStatus !== undefined ? { lastStatus: d.lastStatus } : {}),
    ...(d.lastError ? { lastError: d.lastError } : {}),
    ...(d.renderError ? { renderError: d.renderError } : {}),
    createdAt: d.createdAt.toISOString(),
    ...(d.state === 'pending' ? { nextAt: d.nextAt.toISOString() } : {}),
    ...(d.sentAt ? { sentAt: d.sentAt.toISOString() } : {}),
    ...(d.lastAttemptAt ? { lastAttemptAt: d.lastAttemptAt.toISOString() } : {}),
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
        const config = await configOf(ctx, req.params.project);
        assertDeclared(config, { environment });
        const rows = await visibleRows(
          req.principal,
          environment,
          (env) => listNotifyDeliveries(ctx.db, { project: req.params.project, environment: env, state, limit }),
          (a, b) => b.id - a.id,
          limit,
        );
        const maxAttempts = config.notifications?.retry.attempts;
        return { notifications: rows.map((d) => present(d, maxAttempts)) };
      },
    );

    app.post(
      '/api/v1/notifications/:id/retry',
      {
        config: {
          access: { action: 'notification.retry', role: 'deployer', environment: deliveryEnvironment(ctx) },
        },
        schema: {
          summary: 'Send a failed delivery again',
          description:
            'After fixing what made it fail (a secret, a URL): the delivery is pending again, due now, with its ' +
            'attempts counted from 0 (the whole retry budget). 409 when it has not failed.',
          tags: ['notifications'],
          params: deliveryParams,
          response: { 200: z.object({ notification: deliveryView }), 403: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      async (req) => {
        const id = Number(req.params.id);
        const before = await getNotifyDelivery(ctx.db, id);
        if (!before) throw new SlipwayError('not_found', `no notification delivery ${id}`);
        const d = await retryFailedDelivery(ctx.db, id);
        if (!d)
          throw new SlipwayError(
            'conflict',
            `notification delivery ${id} is ${before.state}, not failed: only a failed delivery is sent again`,
          );
        req.audit = { before: { state: before.state, attempts: before.attempts }, after: { state: d.state } };
        const config = d.project ? await configOf(ctx, d.project).catch(() => undefined) : undefined;
        return { notification: present(d, config?.notifications?.retry.attempts) };
      },
    );
  };
}
