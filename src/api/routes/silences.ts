import { z } from 'zod';
import { oneLine } from '../plain-text.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { formatMatcher, parseMatcher } from '../../observe/alerts/matchers.js';
import { silenceExpiredEvent } from '../../observe/alerts/silence-service.js';
import { parseDuration } from '../../shared/duration.js';
import { SlipwayError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { getProject } from '../../store/repos/projects.js';
import {
  getSilence,
  insertSilence,
  listSilences,
  markSilenceExpired,
  type SilenceRecord,
} from '../../store/repos/silences.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { canView } from '../visible.js';

const scopeParams = z.object({ project: z.string().min(1).max(100), environment: z.string().min(1).max(100) });
const base = '/api/v1/projects/:project/environments/:environment/silences';
const maxSilenceMs = 90 * 86_400_000;

const silenceView = z.object({
  id: z.string(),
  environment: z.string(),
  matchers: z.array(z.string()).describe('label=value, label!=value, label=~regex, label!~regex'),
  comment: z.string(),
  createdBy: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  state: z.enum(['active', 'expired']),
  expiredBy: z.string().nullable(),
});

function present(s: SilenceRecord, now: number): z.infer<typeof silenceView> {
  return {
    id: s.id,
    environment: s.environment,
    matchers: s.matchers.map(formatMatcher),
    comment: s.comment,
    createdBy: s.createdBy,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    state: s.expiredAt || s.endsAt.getTime() <= now ? 'expired' : 'active',
    expiredBy: s.expiredBy ?? null,
  };
}

async function checkEnvironment(ctx: ApiContext, project: string, environment: string): Promise<void> {
  const p = await getProject(ctx.db, project);
  if (!p) throw new SlipwayError('not_found', `unknown project "${project}"`);
  const declared = p.config.environments.map((e) => e.name);
  if (!declared.includes(environment))
    throw new SlipwayError(
      'not_found',
      `params.environment: unknown environment "${environment}" (declared: ${declared.join(', ')})`,
    );
}

/** Silences: mute the alerts their matchers accept until they end; viewers read them, deployers add and expire them. */
export function silenceRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/silences',
      {
        config: {
          access: { action: 'silence.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Silences, newest first (active ones unless all=true)',
          tags: ['alerts'],
          params: z.object({ project: z.string().min(1).max(100) }),
          querystring: z.object({
            environment: z.string().min(1).max(100).optional(),
            all: z.enum(['true', 'false']).default('false'),
          }),
          response: { 200: z.object({ silences: z.array(silenceView) }), 403: errorBody },
        },
      },
      async (req) => {
        const now = Date.now();
        const rows = await listSilences(ctx.db, {
          project: req.params.project,
          ...(req.query.environment ? { environment: req.query.environment } : {}),
          all: req.query.all === 'true',
        });
        const visible = rows.filter((s) => req.query.environment || canView(req.principal, s.environment));
        return {
          silences: visible
            .filter((s) => req.query.all === 'true' || s.endsAt.getTime() > now)
            .map((s) => present(s, now)),
        };
      },
    );

    app.post(
      base,
      {
        config: { access: { action: 'silence.create', role: 'deployer', environment: 'params.environment' } },
        schema: {
          summary: 'Silence the alerts all matchers accept, from now until `for` has passed',
          tags: ['alerts'],
          params: scopeParams,
          body: z.object({
            matchers: z.array(z.string().min(1).max(300)).min(1).max(20),
            for: z.string().min(1).max(20).describe('How long: 30m, 2h, 1d (at most 90d)'),
            comment: oneLine(z.string().trim().min(1).max(500)).describe('Why, for whoever sees the alert muted'),
          }),
          response: { 201: z.object({ silence: silenceView }), 400: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (req, reply) => {
        const { project, environment } = req.params;
        await checkEnvironment(ctx, project, environment);
        const matchers = req.body.matchers.map((m, i) => parseMatcher(m, `body.matchers[${i}]`));
        const forMs = parseDuration(req.body.for);
        if (forMs === undefined || forMs <= 0 || forMs > maxSilenceMs)
          throw new SlipwayError(
            'invalid_input',
            `body.for: ${JSON.stringify(req.body.for)} is not a duration between 1s and 90d (like 30m, 2h, 1d)`,
          );
        const now = Date.now();
        const createdBy = req.principal?.name ?? 'unknown';
        const silence = await ctx.db.transaction(async (tx) => {
          const s = await insertSilence(tx, {
            id: newId('sil', now),
            project,
            environment,
            matchers,
            comment: req.body.comment,
            createdBy,
            startsAt: new Date(now),
            endsAt: new Date(now + forMs),
          });
          return s;
        });
        await ctx.events.emit({
          project,
          environment,
          kind: 'silence.created',
          message:
            `${createdBy} silenced ${matchers.map(formatMatcher).join(', ')} until ` +
            `${silence.endsAt.toISOString()}: ${silence.comment}`,
          data: {
            id: silence.id,
            matchers,
            createdBy,
            comment: silence.comment,
            startsAt: silence.startsAt.toISOString(),
            endsAt: silence.endsAt.toISOString(),
          },
        });
        req.audit = {
          target: `silence ${silence.id}`,
          after: { matchers: matchers.map(formatMatcher), endsAt: silence.endsAt.toISOString() },
        };
        reply.code(201);
        return { silence: present(silence, now) };
      },
    );

    app.post(
      `${base}/:id/expire`,
      {
        config: { access: { action: 'silence.expire', role: 'deployer', environment: 'params.environment' } },
        schema: {
          summary: 'End a silence now (idempotent: an ended one is returned as it is)',
          tags: ['alerts'],
          params: scopeParams.extend({ id: z.string().min(1).max(100) }),
          response: { 200: z.object({ silence: silenceView }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const { project, environment, id } = req.params;
        const existing = await getSilence(ctx.db, id);
        if (!existing || existing.project !== project || existing.environment !== environment)
          throw new SlipwayError('not_found', `no silence ${id} in ${project}/${environment}`);
        const now = Date.now();
        const expired = await markSilenceExpired(ctx.db, id, new Date(now), req.principal?.name ?? 'unknown');
        if (expired) await ctx.events.emit(silenceExpiredEvent(expired));
        req.audit = { target: `silence ${id}`, after: { expiredAt: new Date(now).toISOString() } };
        return { silence: present(expired ?? existing, now) };
      },
    );
  };
}
