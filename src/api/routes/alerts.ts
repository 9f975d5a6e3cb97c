import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { prometheusRules } from '../../observe/alerts/prometheus-rules.js';
import { readingOf, ruleOf, rulesFor, summaryOf, unitOf } from '../../observe/alerts/rules.js';
import { SlipwayError } from '../../shared/errors.js';
import { listActiveAlerts, listAlertHistory, listReadings } from '../../store/repos/alerts.js';
import { getProject } from '../../store/repos/projects.js';
import type { ApiContext } from '../context.js';
import { presentEvent } from '../present.js';
import { errorBody, eventView } from '../schemas.js';
import { canView } from '../visible.js';

const projectParams = z.object({ project: z.string().min(1).max(100) });
const environmentQuery = z.object({ environment: z.string().min(1).max(100).optional() });

const alertView = z.object({
  environment: z.string(),
  fingerprint: z.string(),
  rule: z.string(),
  severity: z.enum(['critical', 'warning']),
  state: z.enum(['pending', 'firing']),
  groupKey: z.string().describe('project/environment/service: alerts of one group are shown and inhibited together'),
  labels: z.record(z.string(), z.string()),
  value: z.number(),
  threshold: z.number(),
  unit: z.enum(['ms', 'ratio', 'days', 'count']).describe('What value and threshold count: a ratio is 0–1'),
  summary: z.string().describe("The rule's one line, its threshold filled in"),
  activeSince: z.string(),
  firedAt: z.string().nullable(),
  mutedBy: z.string().nullable().describe('A silence id, or "inhibited by <critical rule>"; null when announced'),
});

const readingView = z
  .record(z.string(), z.unknown())
  .describe('One reading of the last round: name, labels, phase ok|error|nodata, value/baseline or message, rules');

/** The environments of a project the principal may view (all, or the one asked for, which access already checked). */
async function environmentsOf(
  ctx: ApiContext,
  req: { params: { project: string }; query: { environment?: string }; principal?: Parameters<typeof canView>[0] },
) {
  const project = await getProject(ctx.db, req.params.project);
  if (!project) throw new SlipwayError('not_found', `unknown project "${req.params.project}"`);
  const declared = project.config.environments.map((e) => e.name);
  if (req.query.environment && !declared.includes(req.query.environment))
    throw new SlipwayError(
      'not_found',
      `query.environment: unknown environment "${req.query.environment}" (declared: ${declared.join(', ')})`,
    );
  const names = req.query.environment ? [req.query.environment] : declared.filter((e) => canView(req.principal, e));
  return { project, names };
}

/** Alerts: what is pending or firing now, the last readings, their history, and the rules for Prometheus. */
export function alertRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    const access = (action: string) => ({
      access: { action, role: 'viewer' as const, environment: 'query.environment', anyEnvironment: true as const },
    });

    app.get(
      '/api/v1/projects/:project/alerts',
      {
        config: access('alert.list'),
        schema: {
          summary: 'Alerts pending or firing now, by group, with the readings of the last evaluation',
          tags: ['alerts'],
          params: projectParams,
          querystring: environmentQuery,
          response: {
            200: z.object({
              alerts: z.array(alertView),
              readings: z.array(z.object({ environment: z.string(), at: z.string(), readings: z.array(readingView) })),
            }),
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        const { project, names } = await environmentsOf(ctx, req);
        const alerts = [];
        for (const environment of names) {
          const rules = rulesFor(project.config.environments.find((e) => e.name === environment)?.alerts);
          for (const a of await listActiveAlerts(ctx.db, project.name, environment)) {
            const rule = ruleOf(a.rule, rules);
            alerts.push({
              environment,
              fingerprint: a.fingerprint,
              rule: a.rule,
              severity: a.severity,
              state: a.state,
              groupKey: a.groupKey,
              labels: a.labels,
              value: a.value,
              threshold: a.threshold,
              unit: unitOf(rule ? readingOf(rule, a.labels) : a.rule),
              summary: rule ? summaryOf(rule) : a.rule,
              activeSince: new Date(a.activeSince).toISOString(),
              firedAt: a.firedAt === undefined ? null : new Date(a.firedAt).toISOString(),
              mutedBy: a.mutedBy ?? null,
            });
          }
        }
        const readings = (await listReadings(ctx.db, project.name))
          .filter((r) => names.includes(r.environment))
          .map((r) => ({
            environment: r.environment,
            at: r.at.toISOString(),
            readings: r.readings as Record<string, unknown>[],
          }));
        return { alerts, readings };
      },
    );

    app.get(
      '/api/v1/projects/:project/alerts/history',
      {
        config: access('alert.history'),
        schema: {
          summary: 'alert.firing, alert.resolved, silence.created and silence.expired events, newest first',
          tags: ['alerts'],
          params: projectParams,
          querystring: environmentQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: z.object({ events: z.array(eventView) }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const { project, names } = await environmentsOf(ctx, req);
        const events = [];
        for (const environment of names)
          events.push(
            ...(await listAlertHistory(ctx.db, { project: project.name, environment, limit: req.query.limit })),
          );
        events.sort((a, b) => b.id - a.id);
        return { events: events.slice(0, req.query.limit).map(presentEvent) };
      },
    );

    app.get(
      '/api/v1/projects/:project/alerts/prometheus-rules',
      {
        config: access('alert.rules'),
        schema: {
          summary: "The project's alert rules as a Prometheus rules file (promtool check rules accepts it)",
          tags: ['alerts'],
          params: projectParams,
          querystring: environmentQuery,
          response: { 200: z.object({ file: z.string().describe('YAML') }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const { project, names } = await environmentsOf(ctx, req);
        const config = {
          ...project.config,
          environments: project.config.environments.filter((e) => names.includes(e.name)),
        };
        return { file: prometheusRules(config) };
      },
    );
  };
}
