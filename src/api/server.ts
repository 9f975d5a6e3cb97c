import http from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { forwardWritesToLeader } from './leader-forward.js';
import { bearerAuth } from './auth.js';
import type { ApiContext } from './context.js';
import { errorHandler } from './error-handler.js';
import { refuseUnstorableInput } from './input-guard.js';
import { auditHook, auditWriter } from './audit-hook.js';
import { ingestFastPath } from './ingest-fast-path.js';
import { authorizeRequest, requireRouteAccess } from './route-access.js';
import { deploymentRoutes } from './routes/deployments.js';
import { steerRoutes } from './routes/steer.js';
import { pipelineRoutes } from './routes/pipeline.js';
import { rolloutRoutes } from './routes/rollouts.js';
import { backupRoutes } from './routes/backups.js';
import { triggerRoutes } from './routes/triggers.js';
import { eventRoutes } from './routes/events.js';
import { instanceRoutes } from './routes/instances.js';
import { projectRoutes } from './routes/projects.js';
import { systemRoutes } from './routes/system.js';
import { tokenRoutes } from './routes/tokens.js';
import { auditRoutes } from './routes/audit.js';
import { secretRoutes } from './routes/secrets.js';
import { gateRoutes } from './routes/gates.js';
import { approvalRoutes } from './routes/approvals.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { oidcRoutes } from '../access/oidc/routes.js';
import { incidentRoutes } from './routes/incidents.js';
import { alertRoutes } from './routes/alerts.js';
import { silenceRoutes } from './routes/silences.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { ErrorIngest } from '../observe/errors/error-ingest.js';
import { errorIngestRoutes } from './routes/error-ingest.js';
import { errorRoutes } from './routes/errors.js';
import { notificationRoutes } from './routes/notifications.js';
import { kpiRoutes } from './routes/kpis.js';
import { statusSummaryRoutes } from './routes/status-summary.js';
import { scheduledDeploymentRoutes } from './routes/scheduled-deployments.js';
import { releaseNotesRoutes } from './routes/release-notes.js';
import { OverviewCache } from './overview/cache.js';
import { migrationRoutes } from './routes/migrations.js';
import { PrincipalCache } from '../access/principal-cache.js';
import { sentryReleaseRoutes } from './routes/sentry-releases.js';

/** Build the coordinator API (not listening yet). */
export async function buildApi(given: ApiContext): Promise<FastifyInstance> {
  const ctx: ApiContext = {
    ...given,
    overview: given.overview ?? new OverviewCache(given.events),
    principals: given.principals ?? new PrincipalCache(),
  };
  // The Sentry ingest's plain requests are answered from node:http before Fastify sees them (ingest-fast-path.ts).
  let errors: ErrorIngest | undefined;
  let closing = false;
  const fastPath = ingestFastPath({
    ingest: () => errors,
    metrics: ctx.metrics,
    logger: ctx.logger,
    audit: auditWriter({ db: ctx.db, logger: ctx.logger, registry: ctx.metrics.registry }),
    leadership: ctx.leadership,
    closing: () => closing,
  });
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    // What Fastify does for its own HTTP/1 server (fastify/lib/server.js), with the ingest's path ahead of it.
    serverFactory: (handler, options) => {
      const server = http.createServer(options.http ?? {}, (req, res) => {
        if (!fastPath(req, res)) handler(req, res);
      });
      const o = options as { keepAliveTimeout?: unknown; requestTimeout?: unknown; connectionTimeout?: unknown };
      const m = options as { maxRequestsPerSocket?: unknown };
      if (typeof o.keepAliveTimeout === 'number') server.keepAliveTimeout = o.keepAliveTimeout;
      if (typeof o.requestTimeout === 'number') server.requestTimeout = o.requestTimeout;
      if (typeof o.connectionTimeout === 'number') server.setTimeout(o.connectionTimeout);
      if (typeof m.maxRequestsPerSocket === 'number' && m.maxRequestsPerSocket > 0)
        server.maxRequestsPerSocket = m.maxRequestsPerSocket;
      return server;
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(ctx.logger));
  app.addHook('onClose', async () => ctx.overview?.close());
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${req.method} ${req.url.split('?')[0]} (see /api/v1/openapi.json)`,
      },
    });
  });
  // Every route declares config.access (src/access/types.ts); one without it stops the start.
  app.addHook('onRoute', requireRouteAccess(app));
  // Cookies are parsed (req.cookies) and written (reply.setCookie) by @fastify/cookie; registered
  // first, so its parsing runs before the authentication hook reads the session cookie.
  await app.register(fastifyCookie);
  // A follower forwards writes to the leader before anything else reads the request (src/api/leader-forward.ts).
  if (ctx.leadership)
    app.addHook(
      'onRequest',
      forwardWritesToLeader(ctx.leadership, () => ctx.selfUrl?.() ?? 'a follower'),
    );
  app.addHook('onRequest', bearerAuth(ctx.db, ctx.principals!));
  // Text the store cannot keep (NUL, unpaired surrogates) is a 400 naming the field, before any route reads it.
  app.addHook('preValidation', refuseUnstorableInput);
  app.addHook('preHandler', authorizeRequest);
  // Before the answer leaves: a caller that got an answer finds its request in the audit log.
  app.addHook('onSend', auditHook({ db: ctx.db, logger: ctx.logger, registry: ctx.metrics.registry }));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    ctx.metrics.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Slipway coordinator API',
        version: ctx.version,
        description: 'Deployments, releases, instances and events. Every route but /healthz needs a bearer token.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  await app.register(systemRoutes(ctx));
  await app.register(projectRoutes(ctx));
  await app.register(deploymentRoutes(ctx));
  await app.register(steerRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(instanceRoutes(ctx));
  await app.register(tokenRoutes(ctx));
  await app.register(auditRoutes(ctx));
  await app.register(secretRoutes(ctx));
  await app.register(pipelineRoutes(ctx));
  await app.register(rolloutRoutes(ctx));
  await app.register(backupRoutes(ctx));
  await app.register(migrationRoutes(ctx));
  await app.register(triggerRoutes(ctx));
  await app.register(gateRoutes(ctx));
  await app.register(approvalRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(userRoutes(ctx));
  await app.register(oidcRoutes(ctx));
  await app.register(incidentRoutes(ctx));
  await app.register(alertRoutes(ctx));
  await app.register(silenceRoutes(ctx));
  // Sentry-protocol ingest; an API built without one (tests) gets its own, digested until the API closes.
  const ingest = ctx.errors ?? new ErrorIngest({ db: ctx.db, logger: ctx.logger, registry: ctx.metrics.registry });
  if (!ctx.errors) app.addHook('onClose', () => ingest.close());
  await app.register(errorIngestRoutes(ingest));
  errors = ingest;
  await app.register(errorRoutes(ctx, ingest));
  await app.register(sentryReleaseRoutes(ctx));
  await app.register(notificationRoutes(ctx));
  await app.register(kpiRoutes(ctx));
  await app.register(statusSummaryRoutes(ctx));
  await app.register(scheduledDeploymentRoutes(ctx));
  await app.register(releaseNotesRoutes(ctx));
  // The dashboard (web/, built into dist/web/) at / and every page path; /api/v1 and /healthz stay as they are.
  await app.register(dashboardRoutes());
  app.get(
    '/api/v1/openapi.json',
    { schema: { hide: true }, config: { access: { action: 'api.describe', role: 'viewer', anyEnvironment: true } } },
    async () => app.swagger(),
  );
  return app;
}
