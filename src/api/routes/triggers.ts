import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../context.js';
import { leadTimeRoutes } from './lead-times.js';
import { webhookRoutes } from './webhooks.js';

/** Deployments triggered from outside (GitHub webhooks) and the lead time they make measurable. */
export function triggerRoutes(ctx: ApiContext, env: NodeJS.ProcessEnv = process.env): FastifyPluginAsyncZod {
  return async (app) => {
    // Separate plugins: the webhook's raw-body parser must not reach other routes.
    await app.register(webhookRoutes(ctx, env));
    await app.register(leadTimeRoutes(ctx));
  };
}
