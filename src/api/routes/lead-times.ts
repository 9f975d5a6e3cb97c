import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listLeadTimes, type LeadTimeRecord } from '../../store/repos/release-commits.js';
import { median } from '../../triggers/median.js';
import type { ApiContext } from '../context.js';
import { errorBody, projectParams } from '../schemas.js';
import { visibleRows } from '../visible.js';
import { configOf } from './projects.js';

const leadTimeView = z.object({
  deployment: z.string(),
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  sha: z.string(),
  committedAt: z.string(),
  finishedAt: z.string(),
  leadTimeMs: z.number(),
});

function present(l: LeadTimeRecord) {
  return { ...l, committedAt: l.committedAt.toISOString(), finishedAt: l.finishedAt.toISOString() };
}

/** DORA lead time for changes: commit time (from the push that announced the release) → deployment succeeded. */
export function leadTimeRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/lead-times',
      {
        config: {
          access: { action: 'leadtime.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Lead time for changes of the last succeeded deployments, newest first, and their median',
          description:
            'Only deployments of releases whose commit a GitHub push announced (triggers.github) have one. Ask per ' +
            'environment (production) for the DORA figure.',
          tags: ['metrics'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().optional(),
            service: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(500).default(20),
          }),
          response: {
            200: z.object({
              leadTimes: z.array(leadTimeView),
              median: z.object({ deployments: z.int(), leadTimeMs: z.number().nullable() }),
            }),
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        await configOf(ctx, req.params.project);
        const { environment, service, limit } = req.query;
        const rows = await visibleRows(
          req.principal,
          environment,
          (env) => listLeadTimes(ctx.db, { project: req.params.project, environment: env, service, limit }),
          (a, b) => b.finishedAt.getTime() - a.finishedAt.getTime() || (a.deployment < b.deployment ? 1 : -1),
          limit,
        );
        return {
          leadTimes: rows.map(present),
          median: { deployments: rows.length, leadTimeMs: median(rows.map((r) => r.leadTimeMs)) ?? null },
        };
      },
    );
  };
}
