import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { changeIncident, noteIncident, openIncident } from '../../incidents/actions.js';
import { deploymentVersions, triggeringChange } from '../../incidents/change.js';
import { renderPostmortem } from '../../incidents/postmortem.js';
import { incidentTimeline } from '../../incidents/view.js';
import { severities } from '../../model/incident.js';
import { SlipwayError } from '../../shared/errors.js';
import { linkDetails } from '../../store/repos/incident-link-details.js';
import { type Incident, listIncidents } from '../../store/repos/incidents.js';
import { incidentEnvironment } from '../access-sources.js';
import type { ApiContext } from '../context.js';
import { oneLine, paragraphs } from '../plain-text.js';
import { assertDeclared } from '../declared-filters.js';
import { incidentView, presentIncident, presentTimeline, timelineEntryView } from '../incident-views.js';
import { errorBody, idParams, projectParams } from '../schemas.js';
import { visibleRows } from '../visible.js';
import { configOf } from './projects.js';

const changeBodies = {
  acknowledge: z
    .object({
      owner: oneLine(z.string().trim().min(1).max(100)).optional().describe('who owns it (default: the caller)'),
    })
    .default({}),
  resolve: z.object({ resolution: paragraphs(z.string().trim().min(1).max(1000)).optional() }).default({}),
};
const withTimeline = z.object({ incident: incidentView, timeline: z.array(timelineEntryView) });

/** Incidents: list, open by hand, show with the timeline, acknowledge, resolve, note. */
export function incidentRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const ofIncident = incidentEnvironment(ctx.db);
  const by = (req: { principal?: { name: string } }) => req.principal?.name ?? 'unknown';
  // Links name service and version (people read those), in two queries for a whole list.
  const present = async (list: Incident[]) => {
    const details = await linkDetails(
      ctx.db,
      list.flatMap((i) => i.links),
    );
    return list.map((i) => presentIncident(i, details));
  };
  const presentWithTimeline = async (id: string) => {
    const view = await incidentTimeline(ctx.db, id);
    return presentTimeline(view, await linkDetails(ctx.db, view.incident.links));
  };
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/incidents',
      {
        config: {
          access: { action: 'incident.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: "A project's incidents, newest first",
          tags: ['incidents'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().min(1).max(100).optional(),
            service: z.string().min(1).max(100).optional(),
            state: z.enum(['triggered', 'acknowledged', 'resolved', 'open']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
          }),
          response: { 200: z.object({ incidents: z.array(incidentView) }), 404: errorBody },
        },
      },
      async (req) => {
        assertDeclared(await configOf(ctx, req.params.project), req.query);
        const list = await visibleRows(
          req.principal,
          req.query.environment,
          (environment) => listIncidents(ctx.db, { project: req.params.project, ...req.query, environment }),
          (a, b) => b.openedAt.getTime() - a.openedAt.getTime() || (a.id < b.id ? 1 : -1),
          req.query.limit,
        );
        return { incidents: await present(list) };
      },
    );

    app.post(
      '/api/v1/projects/:project/incidents',
      {
        config: { access: { action: 'incident.open', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Open an incident by hand (it starts triggered)',
          tags: ['incidents'],
          params: projectParams,
          body: z.object({
            environment: z.string().min(1).max(100),
            title: oneLine(z.string().trim().min(3).max(300)),
            severity: z.enum(severities).default('sev3'),
            service: z.string().min(1).max(100).optional(),
          }),
          response: { 201: z.object({ incident: incidentView }), 400: errorBody, 404: errorBody },
        },
      },
      async (req, reply) => {
        const config = await configOf(ctx, req.params.project);
        const { environment, service, title, severity } = req.body;
        if (!config.environments.some((e) => e.name === environment))
          throw new SlipwayError(
            'not_found',
            `environment "${environment}" is not in project ${config.project} ` +
              `(${config.environments.map((e) => e.name).join(', ')})`,
          );
        if (service && !config.services.some((s) => s.name === service))
          throw new SlipwayError(
            'not_found',
            `service "${service}" is not in project ${config.project} ` +
              `(${config.services.map((s) => s.name).join(', ')})`,
          );
        const opened = await openIncident(ctx.db, {
          project: config.project,
          environment,
          ...(service ? { service } : {}),
          title,
          severity,
          source: 'manual',
          openedBy: by(req),
          owner: by(req),
          links: [],
        });
        req.audit = { after: { incident: opened!.id, state: opened!.state, severity } };
        reply.code(201);
        return { incident: presentIncident(opened!) };
      },
    );

    app.get(
      '/api/v1/incidents/:id',
      {
        config: { access: { action: 'incident.read', role: 'viewer', environment: ofIncident } },
        schema: {
          summary: 'One incident with its timeline (deployment steps, verdicts, alerts, notifications, notes)',
          tags: ['incidents'],
          params: idParams,
          response: { 200: withTimeline, 404: errorBody },
        },
      },
      async (req) => presentWithTimeline(req.params.id),
    );

    for (const verb of ['acknowledge', 'resolve'] as const) {
      app.post(
        `/api/v1/incidents/:id/${verb}`,
        {
          config: { access: { action: `incident.${verb}`, role: 'deployer', environment: ofIncident } },
          schema: {
            summary:
              verb === 'acknowledge'
                ? 'Acknowledge a triggered incident; the caller (or the owner named) owns it'
                : 'Resolve an incident (refused when it is already resolved, unless this adds the resolution it lacks)',
            tags: ['incidents'],
            params: idParams,
            body: changeBodies[verb],
            response: {
              200: z.object({
                incident: incidentView,
                resolutionAdded: z
                  .boolean()
                  .optional()
                  .describe('resolve: true when this only added the resolution of an incident resolved before'),
              }),
              404: errorBody,
              409: errorBody,
            },
          },
        },
        async (req) => {
          const body = req.body as { owner?: string; resolution?: string };
          const at = new Date();
          const { before, after } = await changeIncident(
            ctx.db,
            req.params.id,
            verb === 'acknowledge'
              ? { kind: 'acknowledge', by: by(req), at, ...(body.owner ? { owner: body.owner } : {}) }
              : { kind: 'resolve', by: by(req), at, ...(body.resolution ? { resolution: body.resolution } : {}) },
          );
          // The resolution too: adding one to a resolved incident changes nothing else.
          req.audit = {
            before: {
              incident: before.id,
              state: before.state,
              owner: before.owner ?? null,
              resolution: before.resolution ?? null,
            },
            after: {
              incident: after.id,
              state: after.state,
              owner: after.owner ?? null,
              resolution: after.resolution ?? null,
            },
          };
          const incident = (await present([after]))[0]!;
          return verb === 'resolve' ? { incident, resolutionAdded: before.state === 'resolved' } : { incident };
        },
      );
    }

    app.get(
      '/api/v1/incidents/:id/postmortem',
      {
        config: { access: { action: 'incident.postmortem', role: 'viewer', environment: ofIncident } },
        schema: {
          summary: 'A Markdown postmortem draft: summary, impact window, trigger and commits, figures, timeline',
          tags: ['incidents'],
          params: idParams,
          response: { 200: z.object({ incident: z.string(), markdown: z.string() }), 404: errorBody },
        },
      },
      async (req) => {
        const view = await incidentTimeline(ctx.db, req.params.id);
        const change = await triggeringChange(ctx.db, view.incident);
        const versions = await deploymentVersions(
          ctx.db,
          view.verdicts.map((v) => v.deploymentId),
        );
        const markdown = renderPostmortem({ ...view, ...(change ? { change } : {}), versions, now: new Date() });
        return { incident: view.incident.id, markdown };
      },
    );

    app.post(
      '/api/v1/incidents/:id/notes',
      {
        config: { access: { action: 'incident.note', role: 'deployer', environment: ofIncident } },
        schema: {
          summary: "Add a note to an incident's timeline",
          tags: ['incidents'],
          params: idParams,
          body: z.object({ text: paragraphs(z.string().trim().min(1).max(2000)) }),
          response: { 201: withTimeline, 404: errorBody },
        },
      },
      async (req, reply) => {
        const event = await noteIncident(ctx.db, req.params.id, by(req), req.body.text);
        req.audit = { after: { incident: req.params.id, event: event.id } };
        reply.code(201);
        return presentWithTimeline(req.params.id);
      },
    );
  };
}
