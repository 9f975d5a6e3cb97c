import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';

export function systemRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { access: { action: 'system.health', role: 'viewer', public: true } },
        schema: {
          summary: 'Liveness of the coordinator (no token needed; reveals nothing else)',
          tags: ['system'],
          security: [],
          response: {
            200: z.object({ ok: z.boolean(), version: z.string(), uptimeSeconds: z.number() }),
            503: z.object({ ok: z.boolean(), version: z.string(), uptimeSeconds: z.number() }),
          },
        },
      },
      // 503 while the coordinator is still starting (the API listens before the engine has resumed).
      async (_req, reply) =>
        reply.status(ctx.ready?.() === false ? 503 : 200).send({
          ok: ctx.ready?.() !== false,
          version: ctx.version,
          uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
        }),
    );

    app.get(
      '/metrics',
      {
        config: { access: { action: 'system.metrics', role: 'viewer' } },
        schema: { summary: "The coordinator's Prometheus metrics", tags: ['system'] },
      },
      async (_req, reply) => {
        reply.type(ctx.metrics.registry.contentType);
        return ctx.metrics.text();
      },
    );

    app.get(
      '/api/v1/system/leader',
      {
        config: { access: { action: 'system.leader', role: 'viewer' } },
        schema: {
          summary: 'Which coordinator leads (several coordinators on one PostgreSQL) and what this one is',
          tags: ['system'],
          response: {
            200: z.object({
              role: z.enum(['leader', 'follower', 'single']),
              holder: z.string().optional(),
              leader: z.object({ url: z.string(), host: z.string(), pid: z.number(), token: z.number() }).optional(),
            }),
          },
        },
      },
      async () => ctx.leadership?.describe() ?? { role: 'single' as const },
    );

    app.post(
      '/api/v1/system/shutdown',
      {
        config: { access: { action: 'system.shutdown', role: 'admin' } },
        schema: {
          summary:
            'Stop the coordinator (and, with stopInstances, the proxy and every instance) — what `slipway down` calls',
          tags: ['system'],
          body: z.object({ stopInstances: z.boolean().default(false) }).default({ stopInstances: false }),
          response: { 202: z.object({ stopping: z.boolean() }), 403: errorBody },
        },
      },
      async (req, reply) => {
        reply.raw.on('finish', () => ctx.shutdown({ stopInstances: req.body.stopInstances }));
        return reply.status(202).send({ stopping: true });
      },
    );
  };
}
