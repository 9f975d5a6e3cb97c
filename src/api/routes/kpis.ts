import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { viewableEnvironments } from '../../access/authorize.js';
import { loadKpis } from '../../kpis/load.js';
import { parsePeriod } from '../../kpis/period.js';
import type { ApiContext } from '../context.js';
import { assertDeclared } from '../declared-filters.js';
import { kpisResponse } from '../kpi-views.js';
import { errorBody, projectParams } from '../schemas.js';
import { configOf } from './projects.js';

/** Delivery figures per environment over a period, each against the seed's target. */
export function kpiRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/kpis',
      {
        config: {
          access: { action: 'kpis.read', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Delivery KPIs per environment: DORA figures, success and rollback rates, MTTR, MTBF, availability',
          description:
            'Computed from deployments, incident events and the availability probes over [since, until). since: a ' +
            'duration back from until (30d) or a date; until: a date (default now). Without environment: every ' +
            'environment the caller may view.',
          tags: ['metrics'],
          params: projectParams,
          querystring: z.object({
            since: z.string().max(40).optional(),
            until: z.string().max(40).optional(),
            environment: z.string().optional(),
            service: z.string().optional(),
          }),
          response: { 200: kpisResponse, 400: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const config = await configOf(ctx, req.params.project);
        const { environment, service } = req.query;
        const period = parsePeriod(req.query, Date.now());
        assertDeclared(config, { environment, service });
        const declared = config.environments.map((e) => e.name);
        const viewable = req.principal ? viewableEnvironments(req.principal) : [];
        const environments = environment
          ? [environment]
          : declared.filter((e) => viewable === '*' || viewable.includes(e));
        const figures = await loadKpis(ctx.db, { project: config.project, environments, service, ...period });
        return { since: period.since.toISOString(), until: period.until.toISOString(), environments: figures };
      },
    );
  };
}
