import path from 'node:path';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProjectConfig } from '../../config/model.js';
import { validateConfigObject } from '../../config/validate.js';
import { SlipwayError } from '../../shared/errors.js';
import { getProject, listProjects, type ProjectRecord } from '../../store/repos/projects.js';
import { listReleases } from '../../store/repos/releases.js';
import type { ApiContext } from '../context.js';
import { presentRelease } from '../present.js';
import { errorBody, projectParams, projectView, releaseView } from '../schemas.js';
import { projectStatus } from '../status.js';
import { computeOverview } from '../overview/compute.js';
import { overviewView } from '../overview/view.js';
import { statusView } from '../schemas.js';
import { canView } from '../visible.js';

function present(p: ProjectRecord): z.infer<typeof projectView> {
  const c = p.config;
  return {
    name: p.name,
    digest: p.digest,
    environments: c.environments.map((e) => ({ name: e.name, listen: e.listen })),
    services: c.services.map((s) => ({
      name: s.name,
      instances: s.instances,
      strategy: s.strategy.type,
      routePrefix: s.route.pathPrefix,
    })),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** The project's config or a 404 naming it. */
export async function configOf(ctx: ApiContext, project: string): Promise<ProjectConfig> {
  const p = await getProject(ctx.db, project);
  if (!p)
    throw new SlipwayError(
      'not_found',
      `project "${project}" is not known to this coordinator; \`slipway deploy\` applies slipway.yaml first`,
    );
  return p.config;
}

export function projectRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      '/api/v1/projects/:project',
      {
        config: { access: { action: 'project.apply', role: 'admin' } },
        schema: {
          summary: 'Apply a project config (the parsed slipway.yaml); idempotent',
          tags: ['projects'],
          params: projectParams,
          body: z.object({
            config: z.record(z.string(), z.unknown()).describe('slipway.yaml as a JSON object'),
            baseDir: z
              .string()
              .min(1)
              .refine(
                (dir) => path.isAbsolute(dir) && path.normalize(dir).replace(/(.)\/$/, '$1') === dir,
                'must be an absolute, normalized path (like /srv/app: no "." or ".." parts, no trailing slash)',
              )
              .describe('Absolute directory relative paths in the config are resolved against'),
            file: z.string().optional().describe('The file name, for error messages'),
          }),
          response: { 200: z.object({ project: projectView, changed: z.boolean() }), 400: errorBody },
        },
      },
      async (req) => {
        const config = validateConfigObject(req.body.config, {
          baseDir: req.body.baseDir,
          ...(req.body.file ? { file: req.body.file } : {}),
        });
        if (config.project !== req.params.project) {
          throw new SlipwayError(
            'invalid_input',
            `body.config.project is "${config.project}" but the URL names project "${req.params.project}"`,
          );
        }
        const before = await getProject(ctx.db, config.project);
        const { changed } = await ctx.engine.applyProject(config);
        if (changed) ctx.overview?.invalidate(config.project);
        const after = (await getProject(ctx.db, config.project))!;
        req.audit = { before: { digest: before?.digest ?? null }, after: { digest: after.digest, changed } };
        return { project: present(after), changed };
      },
    );

    // The project's shape (environment and service names) is visible to any token; status is filtered.
    app.get(
      '/api/v1/projects',
      {
        config: { access: { action: 'project.list', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'List projects',
          tags: ['projects'],
          response: { 200: z.object({ projects: z.array(projectView) }) },
        },
      },
      async () => ({
        projects: (await listProjects(ctx.db)).map(present),
      }),
    );

    app.get(
      '/api/v1/projects/:project',
      {
        config: { access: { action: 'project.read', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'One project',
          tags: ['projects'],
          params: projectParams,
          response: { 200: z.object({ project: projectView }), 404: errorBody },
        },
      },
      async (req) => {
        await configOf(ctx, req.params.project);
        return { project: present((await getProject(ctx.db, req.params.project))!) };
      },
    );

    app.get(
      '/api/v1/projects/:project/status',
      {
        config: { access: { action: 'project.status', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'Every service in every environment: stable release, traffic, instances, deployments',
          tags: ['projects'],
          params: projectParams,
          response: { 200: statusView, 404: errorBody },
        },
      },
      async (req) => {
        const status = await projectStatus(
          ctx.db,
          await configOf(ctx, req.params.project),
          await ctx.engine.dataPlaneHealthy(),
          ctx.dataPlane?.kind,
        );
        status.environments = status.environments.filter((e) => canView(req.principal, e.name));
        return status;
      },
    );

    app.get(
      '/api/v1/projects/:project/overview',
      {
        config: { access: { action: 'project.overview', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary:
            "What the dashboard's overview shows of every service in every environment: stable release, traffic, " +
            'instance health, the deployment in flight with its step (kept in memory, current with the event log)',
          tags: ['projects'],
          params: projectParams,
          response: { 200: overviewView, 404: errorBody },
        },
      },
      async (req, reply) => {
        const project = req.params.project;
        const json = await ctx.overview!.json(
          project,
          async () =>
            computeOverview(
              ctx.db,
              await configOf(ctx, project),
              await ctx.engine.dataPlaneHealthy(),
              ctx.dataPlane?.kind,
            ),
          (environment) => canView(req.principal, environment),
        );
        // Already JSON: Fastify sends a string as it is, so the cached text is not parsed and serialized again.
        return reply.type('application/json; charset=utf-8').send(json as never);
      },
    );

    app.get(
      '/api/v1/projects/:project/services',
      {
        config: {
          access: { action: 'service.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Services of a project, per environment',
          tags: ['services'],
          params: projectParams,
          querystring: z.object({ environment: z.string().optional() }),
          response: { 200: statusView, 404: errorBody },
        },
      },
      async (req) => {
        const status = await projectStatus(
          ctx.db,
          await configOf(ctx, req.params.project),
          await ctx.engine.dataPlaneHealthy(),
          ctx.dataPlane?.kind,
        );
        status.environments = status.environments.filter((e) => canView(req.principal, e.name));
        if (req.query.environment) {
          status.environments = status.environments.filter((e) => e.name === req.query.environment);
          if (status.environments.length === 0)
            throw new SlipwayError(
              'not_found',
              `project ${req.params.project} has no environment "${req.query.environment}"`,
            );
        }
        return status;
      },
    );

    app.get(
      '/api/v1/projects/:project/releases',
      {
        // Releases belong to a service, not to an environment: any token may list them (env values are never returned).
        config: { access: { action: 'release.list', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'Releases of a project, newest first',
          tags: ['releases'],
          params: projectParams,
          querystring: z.object({
            service: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ releases: z.array(releaseView) }), 404: errorBody },
        },
      },
      async (req) => {
        await configOf(ctx, req.params.project);
        return {
          releases: (await listReleases(ctx.db, req.params.project, req.query.service, req.query.limit)).map(
            presentRelease,
          ),
        };
      },
    );
  };
}
