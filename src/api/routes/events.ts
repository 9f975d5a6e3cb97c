import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SlipwayError } from '../../shared/errors.js';
import { finalStates, getDeployment } from '../../store/repos/deployments.js';
import { lastEventId, listEvents, type EventRecord } from '../../store/repos/events.js';
import type { ApiContext } from '../context.js';
import { presentEvent } from '../present.js';
import { errorBody, eventView, idParams } from '../schemas.js';
import { deploymentEnvironment } from '../access-sources.js';
import { visibleRows } from '../visible.js';
import { viewableEnvironments } from '../../access/authorize.js';
import { streamEvents } from '../event-stream.js';

/**
 * The id a reconnecting EventSource sends back (Last-Event-ID), 0 when there is none. Anything but
 * an event id is refused before the stream starts: it would otherwise reach the query, fail, and
 * leave a stream that never ends.
 */
function lastEventIdOf(header: string | string[] | undefined): number {
  const text = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (text === '') return 0;
  const id = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(id)) return id;
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  throw new SlipwayError(
    'invalid_input',
    `headers.last-event-id: "${shown}" is not an event id: send the whole number of the last "id:" received`,
  );
}

export function eventRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/events',
      {
        // Without an environment: only events of environments the token may view (events of no environment need '*').
        config: {
          access: { action: 'event.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'The event timeline, oldest first (or, with `Accept: text/event-stream`, followed live)',
          description:
            'With `Accept: text/event-stream`: the events after `after` (or `Last-Event-ID`), then new ones as they ' +
            'are stored, each with its id, until the client leaves (the dashboard follows the whole project so).',
          tags: ['events'],
          querystring: z.object({
            project: z.string().optional(),
            deployment: z.string().optional(),
            service: z.string().optional(),
            environment: z.string().optional(),
            after: z.coerce.number().int().min(0).default(0).describe('Only events with a larger id'),
            since: z
              .literal('now')
              .optional()
              .describe(
                'Stream only: start after the newest stored event (no backlog); the first frame, `stream.start`, ' +
                  'carries its id. A Last-Event-ID header wins (a reconnect).',
              ),
            limit: z.coerce.number().int().min(1).max(5000).default(500),
          }),
          response: { 200: z.object({ events: z.array(eventView) }) },
        },
      },
      async (req, reply) => {
        const { deployment, since, ...rest } = req.query;
        if (String(req.headers.accept ?? '').includes('text/event-stream')) {
          const after = Math.max(rest.after, lastEventIdOf(req.headers['last-event-id']));
          const viewable = req.principal ? viewableEnvironments(req.principal) : [];
          const matches = (e: EventRecord) =>
            (!rest.project || e.project === rest.project) &&
            (!deployment || e.deploymentId === deployment) &&
            (!rest.service || e.service === rest.service) &&
            (rest.environment
              ? e.environment === rest.environment
              : viewable === '*' || (e.environment !== undefined && viewable.includes(e.environment)));
          return streamEvents(ctx, req, reply, {
            after,
            ...(since === 'now' && after === 0 ? { fromLatest: () => lastEventId(ctx.db) } : {}),
            matches,
            backlog: (from, limit) =>
              visibleRows(
                req.principal,
                rest.environment,
                (environment) =>
                  listEvents(ctx.db, { ...rest, environment, deploymentId: deployment, after: from, limit }),
                (a, b) => a.id - b.id,
                limit,
              ),
          });
        }
        const events = await visibleRows(
          req.principal,
          rest.environment,
          (environment) => listEvents(ctx.db, { ...rest, environment, deploymentId: deployment }),
          (a, b) => a.id - b.id,
          rest.limit,
        );
        return { events: events.map(presentEvent) };
      },
    );

    app.get(
      '/api/v1/deployments/:id/events',
      {
        config: { access: { action: 'deployment.events', role: 'viewer', environment: deploymentEnvironment(ctx.db) } },
        schema: {
          summary: "A deployment's progress as server-sent events (or a JSON list)",
          description:
            'With `Accept: text/event-stream`: every event so far (after `Last-Event-ID`), then new ones as they ' +
            'happen; the stream ends with an `end` event once the deployment is finished. Otherwise: the events ' +
            'so far as JSON.',
          tags: ['deployments', 'events'],
          params: idParams,
          response: {
            200: z
              .object({ events: z.array(eventView) })
              .describe('JSON form; the SSE form sends eventView objects as `data`'),
            404: errorBody,
          },
        },
      },
      async (req, reply) => {
        const id = req.params.id;
        const deployment = await getDeployment(ctx.db, id);
        if (!deployment) throw new SlipwayError('not_found', `no deployment ${id}`);
        if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
          return { events: (await listEvents(ctx.db, { deploymentId: id, limit: 5000 })).map(presentEvent) };
        }

        return streamEvents(ctx, req, reply, {
          after: lastEventIdOf(req.headers['last-event-id']),
          matches: (e) => e.deploymentId === id,
          backlog: (from, limit) => listEvents(ctx.db, { deploymentId: id, after: from, limit }),
          endsAfter: (e) => e.kind === 'deployment.finished',
          over: async () => {
            const now = await getDeployment(ctx.db, id);
            return now !== undefined && finalStates.includes(now.state);
          },
        });
      },
    );
  };
}
