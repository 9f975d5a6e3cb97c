import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogLine } from '../../model/instance.js';
import { SlipwayError } from '../../shared/errors.js';
import { getInstance, listInstances } from '../../store/repos/instances.js';
import type { ApiContext } from '../context.js';
import { presentInstance, ReleaseNames } from '../present.js';
import { errorBody, idParams, instanceView, projectParams } from '../schemas.js';
import { configOf } from './projects.js';
import { instanceEnvironment } from '../access-sources.js';
import { canView, visibleRows } from '../visible.js';

const logQuery = z.object({
  tail: z.coerce.number().int().min(0).max(100_000).default(100).describe('Last N lines first'),
  follow: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe('Keep streaming new lines'),
  timestamps: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe('Start each line with when it was written (ISO 8601)'),
});

/** Stream log lines as text/plain, each prefixed when several instances are merged; stops when the client goes. */
/**
 * Write logs as text: first the history of every source merged by time (ties keep each log's
 * order), then — with follow — new lines as they come, each source resumed right after the last
 * line it gave (its cursor), so nothing is lost or repeated between the two.
 */
async function streamLogs(
  ctx: ApiContext,
  req: FastifyRequest,
  reply: FastifyReply,
  sources: { id: string; prefix: string }[],
  options: { tail: number; follow: boolean; timestamps: boolean },
) {
  const controller = new AbortController();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  req.raw.on('close', () => controller.abort());
  res.on('close', () => controller.abort());
  const write = (prefix: string, line: LogLine) =>
    res.write(`${options.timestamps ? `${new Date(line.at).toISOString()} ` : ''}${prefix}${line.text}\n`);
  const unavailable = (prefix: string, e: unknown) =>
    res.write(`${prefix}[slipway: log unavailable: ${(e as Error).message}]\n`);

  const cursors = new Map<string, string>();
  if (options.tail > 0) {
    const history: { line: LogLine; source: number; order: number }[] = [];
    await Promise.all(
      sources.map(async ({ id, prefix }, source) => {
        try {
          let order = 0;
          for await (const line of ctx.engine.instanceLogs(id, { tail: options.tail, signal: controller.signal })) {
            history.push({ line, source, order: order++ });
            cursors.set(id, line.cursor);
          }
          // An empty log: follow it from its start, so a line written meanwhile is not missed.
          if (!cursors.has(id)) cursors.set(id, '0');
        } catch (e) {
          if (!controller.signal.aborted) unavailable(prefix, e);
        }
      }),
    );
    history.sort((a, b) => a.line.at - b.line.at || a.source - b.source || a.order - b.order);
    for (const { line, source } of history) write(sources[source]!.prefix, line);
  }
  if (options.follow) {
    await Promise.all(
      sources.map(async ({ id, prefix }) => {
        const after = cursors.get(id);
        try {
          const followed = ctx.engine.instanceLogs(id, {
            follow: true,
            signal: controller.signal,
            ...(after !== undefined ? { after } : { tail: 0 }),
          });
          for await (const line of followed) {
            if (controller.signal.aborted) break;
            write(prefix, line);
          }
        } catch (e) {
          if (!controller.signal.aborted) unavailable(prefix, e);
        }
      }),
    );
  }
  res.end();
}

export function instanceRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const ofInstance = instanceEnvironment(ctx.db);
  return async (app) => {
    app.get(
      '/api/v1/instances',
      {
        config: {
          access: { action: 'instance.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Instances (live ones, and ones stopped in the last hour unless `all`)',
          tags: ['instances'],
          querystring: z.object({
            project: z.string().optional(),
            environment: z.string().optional(),
            service: z.string().optional(),
            all: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
          }),
          response: { 200: z.object({ instances: z.array(instanceView) }) },
        },
      },
      async (req) => {
        const names = new ReleaseNames(ctx.db);
        const byStart = (a: { startedAt: Date; id: string }, b: { startedAt: Date; id: string }) =>
          a.startedAt.getTime() - b.startedAt.getTime() || (a.id < b.id ? -1 : 1);
        const list = await visibleRows(
          req.principal,
          req.query.environment,
          (environment) => listInstances(ctx.db, { ...req.query, environment }),
          byStart,
        );
        return { instances: await Promise.all(list.map((i) => presentInstance(i, names))) };
      },
    );

    app.get(
      '/api/v1/instances/:id',
      {
        config: { access: { action: 'instance.read', role: 'viewer', environment: ofInstance } },
        schema: {
          summary: 'One instance',
          tags: ['instances'],
          params: idParams,
          response: { 200: z.object({ instance: instanceView }), 404: errorBody },
        },
      },
      async (req) => {
        const i = await getInstance(ctx.db, req.params.id);
        if (!i) throw new SlipwayError('not_found', `no instance ${req.params.id}`);
        return { instance: await presentInstance(i, new ReleaseNames(ctx.db)) };
      },
    );

    app.get(
      '/api/v1/instances/:id/logs',
      {
        config: { access: { action: 'instance.logs', role: 'viewer', environment: ofInstance } },
        schema: {
          summary: "An instance's log (text/plain; `follow` streams)",
          tags: ['instances'],
          params: idParams,
          querystring: logQuery,
          response: { 404: errorBody },
        },
      },
      async (req, reply) => {
        const i = await getInstance(ctx.db, req.params.id);
        if (!i) throw new SlipwayError('not_found', `no instance ${req.params.id}`);
        await streamLogs(ctx, req, reply, [{ id: i.id, prefix: '' }], req.query);
      },
    );

    app.get(
      '/api/v1/projects/:project/logs',
      {
        config: {
          access: { action: 'service.logs', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary:
            "A service's logs: every instance's, merged by time, each line prefixed with its instance (text/plain)",
          tags: ['instances'],
          params: projectParams,
          querystring: logQuery.extend({
            service: z.string().min(1),
            environment: z.string().min(1).optional().describe('Every environment when absent'),
          }),
          response: { 404: errorBody },
        },
      },
      async (req, reply) => {
        const config = await configOf(ctx, req.params.project);
        if (!config.services.some((s) => s.name === req.query.service))
          throw new SlipwayError('not_found', `project ${config.project} has no service "${req.query.service}"`);
        const env = req.query.environment;
        if (env && !config.environments.some((e) => e.name === env))
          throw new SlipwayError('not_found', `project ${config.project} has no environment "${env}"`);
        const names = new ReleaseNames(ctx.db);
        const instances = (
          await listInstances(ctx.db, { project: config.project, environment: env, service: req.query.service })
        ).filter((i) => canView(req.principal, i.environment));
        if (instances.length === 0)
          throw new SlipwayError(
            'not_found',
            `${req.query.service} has no instances${env ? ` in ${env}` : ''} (deploy it first)`,
          );
        const sources = await Promise.all(
          instances.map(async (i) => ({
            id: i.id,
            prefix: `${env ? '' : `${i.environment} `}${i.id} ${await names.version(i.releaseId)} | `,
          })),
        );
        await streamLogs(ctx, req, reply, sources, req.query);
      },
    );
  };
}
