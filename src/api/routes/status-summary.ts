import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { viewableEnvironments } from '../../access/authorize.js';
import { renderStatusPage } from '../../kpis/status-page.js';
import { type EnvironmentStatus, loadStatusSummary } from '../../kpis/status-summary.js';
import { unstorableIn } from '../../shared/storable-text.js';
import { getProject } from '../../store/repos/projects.js';
import type { ApiContext } from '../context.js';
import { errorBody, projectParams } from '../schemas.js';
import { configOf } from './projects.js';

const incidentView = z.object({
  id: z.string(),
  severity: z.string().optional(),
  title: z.string().optional(),
  service: z.string().optional(),
  openedAt: z.string(),
});
const statusView = z.object({
  environment: z.string(),
  state: z.enum(['operational', 'degraded', 'incident']),
  summary: z.string(),
  uptime30d: z.number().nullable(),
  openIncidents: z.array(incidentView),
  maintenance: z
    .array(z.object({ at: z.string() }))
    .describe('Scheduled deployments still pending whose maintenance notice went out: when'),
});

function present(s: EnvironmentStatus) {
  return {
    ...s,
    openIncidents: s.openIncidents.map((i) => ({
      id: i.id,
      ...(i.severity ? { severity: i.severity } : {}),
      ...(i.title ? { title: i.title } : {}),
      ...(i.service ? { service: i.service } : {}),
      openedAt: new Date(i.openedAt).toISOString(),
    })),
  };
}

/** The public page is answered from this cache for a few seconds: anyone may ask, the store is asked this often. */
const pageReuseMs = 5000;

/** Status per environment: JSON for people with a token, a plain HTML page for everyone. */
export function statusSummaryRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const pages = new Map<string, { at: number; html: Promise<string | undefined> }>();
  const page = (project: string) => {
    const hit = pages.get(project);
    if (hit && Date.now() - hit.at < pageReuseMs) return hit.html;
    const html = (async () => {
      const p = await getProject(ctx.db, project);
      if (!p) return undefined;
      const now = new Date();
      const environments = p.config.environments.map((e) => e.name);
      return renderStatusPage(project, await loadStatusSummary(ctx.db, { project, environments, now }), now);
    })();
    if (pages.size > 100) pages.clear();
    pages.set(project, { at: Date.now(), html });
    html.catch(() => pages.delete(project));
    return html;
  };

  return async (app) => {
    app.get(
      '/api/v1/projects/:project/status-summary',
      {
        config: { access: { action: 'status.summary', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'Per environment: operational, degraded or incident, with the open incidents and 30-day uptime',
          tags: ['metrics'],
          params: projectParams,
          response: { 200: z.object({ environments: z.array(statusView) }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const config = await configOf(ctx, req.params.project);
        const viewable = req.principal ? viewableEnvironments(req.principal) : [];
        const environments = config.environments
          .map((e) => e.name)
          .filter((e) => viewable === '*' || viewable.includes(e));
        const statuses = await loadStatusSummary(ctx.db, { project: config.project, environments, now: new Date() });
        return { environments: statuses.map(present) };
      },
    );

    // The page answers at /status/harbor and /status/harbor/ alike: people type the slash, and without its own
    // route the slash falls through to the dashboard app's catch-all.
    for (const url of ['/status/:project', '/status/:project/'])
      app.get(
        url,
        {
          // Public on purpose (listed in publicRoutes, src/api/route-access.ts): customers read it without a login.
          config: { access: { action: 'status.page', role: 'viewer', public: true }, answersUnstorableInput: true },
          schema: {
            summary: "The public status page (HTML): each environment's state, uptime and open incidents; no internals",
            tags: ['metrics'],
            security: [],
            // Any name: one no project has is the same 404 page as the others, not a validation error.
            params: z.object({ project: z.string() }),
            ...(url.endsWith('/') ? { hide: true } : {}),
          },
        },
        async (req, reply) => {
          // A name the store cannot hold (a NUL) is no project's: the same 404 page, never the JSON 400.
          if (unstorableIn(req.params.project)) return notFound(reply);
          const html = await page(req.params.project);
          if (html === undefined) return notFound(reply);
          return publicPageHeaders(reply).type('text/html; charset=utf-8').send(html);
        },
      );

    // No project named, or more path after it: the same plain page saying where the status pages are. Without these
    // routes /status and /status/a/b fell through to the dashboard app's catch-all (a 200 with the app).
    for (const url of ['/status', '/status/', '/status/*'])
      app.get(
        url,
        {
          config: { access: { action: 'status.page', role: 'viewer', public: true }, answersUnstorableInput: true },
          schema: { hide: true },
        },
        async (_req, reply) => notFound(reply),
      );
  };
}

/** Every status URL that is not a project's page: one plain HTML 404, whatever was asked. */
function notFound(reply: FastifyReply): FastifyReply {
  return publicPageHeaders(reply).status(404).type('text/html; charset=utf-8').send(noProjectPage);
}

/** Headers of the public pages: nothing to run, nothing to sniff, cached a few seconds. */
function publicPageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'public, max-age=5');
}

const noProjectPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Status page not found</title></head>
<body><h1>Status page not found</h1><p>Open the status page of a project at /status/&lt;project&gt;.</p></body></html>
`;
