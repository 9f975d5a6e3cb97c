import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { viewableEnvironments } from '../../access/authorize.js';
import type { ErrorIngest } from '../../observe/errors/error-ingest.js';
import { dsnOf, ensureDsnKey, rotateDsnKey } from '../../observe/errors/dsn.js';
import { releaseHealth } from '../../observe/errors/release-health.js';
import { SlipwayError } from '../../shared/errors.js';
import { issueScope, listIssues, setIssueStatus } from '../../store/repos/error-issues.js';
import { latestEventOf } from '../../observe/errors/stored-event.js';
import type { ApiContext } from '../context.js';
import { healthView, issueView, presentIssue, presentLatest } from './error-views.js';

const projectParams = z.object({ project: z.string() });
const statuses = ['unresolved', 'resolved', 'ignored'] as const;

/** Error tracking for people and the CLI: DSNs, issues, an issue's latest event, status, release health. */
export function errorRoutes(ctx: ApiContext, ingest: ErrorIngest): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/dsn',
      {
        config: { access: { action: 'errors.dsn', role: 'deployer', environment: 'query.environment' } },
        schema: {
          summary: "The environment's Sentry DSN (made on first use): give it to SDKs as SENTRY_DSN",
          tags: ['errors'],
          params: projectParams,
          querystring: z.object({ environment: z.string().min(1) }),
          response: { 200: z.object({ dsn: z.string(), environment: z.string(), projectId: z.number().int() }) },
        },
      },
      async (req) => {
        const key = await ensureDsnKey(ctx.db, req.params.project, req.query.environment);
        return { dsn: dsnOf(key, `${req.protocol}://${req.host}`), environment: key.environment, projectId: key.id };
      },
    );

    app.post(
      '/api/v1/projects/:project/dsn/rotate',
      {
        config: { access: { action: 'errors.dsn.rotate', role: 'admin', environment: 'body.environment' } },
        schema: {
          summary: "Revoke the environment's DSN key and make a new one (SDKs with the old DSN get 403)",
          tags: ['errors'],
          params: projectParams,
          body: z.object({ environment: z.string().min(1) }),
          response: { 200: z.object({ dsn: z.string(), environment: z.string(), projectId: z.number().int() }) },
        },
      },
      async (req) => {
        const key = await rotateDsnKey(ctx.db, req.params.project, req.body.environment);
        ingest.keys.forget();
        req.audit = { after: { projectId: key.id } };
        return { dsn: dsnOf(key, `${req.protocol}://${req.host}`), environment: key.environment, projectId: key.id };
      },
    );

    app.get(
      '/api/v1/projects/:project/errors',
      {
        config: {
          access: { action: 'errors.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Issues (grouped error events), most recently seen first',
          tags: ['errors'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().optional(),
            release: z.string().optional().describe('Only issues seen in this release'),
            status: z.enum(statuses).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ issues: z.array(issueView) }) },
        },
      },
      async (req) => {
        const environments = req.query.environment ? [req.query.environment] : viewableEnvironments(req.principal!);
        const issues = await listIssues(ctx.db, { project: req.params.project, environments, ...req.query });
        return { issues: issues.map((i) => presentIssue(i, req.query.release)) };
      },
    );

    app.get(
      '/api/v1/errors/:issue',
      {
        config: { access: { action: 'errors.show', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'One issue with its counts and its latest event (stack trace and tags)',
          tags: ['errors'],
          params: z.object({ issue: z.string() }),
          response: { 200: z.object({ issue: issueView, latest: z.record(z.string(), z.unknown()).nullable() }) },
        },
      },
      async (req) => {
        const environments = viewableEnvironments(req.principal!);
        const scope = await issueScope(ctx.db, req.params.issue);
        const [issue] = scope
          ? await listIssues(ctx.db, { project: scope.project, environments, id: req.params.issue })
          : [];
        if (!issue)
          throw new SlipwayError('not_found', `no issue ${req.params.issue} in the environments you may view`);
        const latest = await latestEventOf(ctx.db, issue.id, environments);
        return { issue: presentIssue(issue), latest: latest ? presentLatest(latest) : null };
      },
    );

    app.post(
      '/api/v1/errors/:issue/status',
      {
        config: { access: { action: 'errors.status', role: 'deployer' } },
        schema: {
          summary: 'Resolve, ignore or reopen an issue (a resolved issue seen again is reopened as regressed)',
          tags: ['errors'],
          params: z.object({ issue: z.string() }),
          body: z.object({ status: z.enum(statuses), release: z.string().min(1).optional() }),
          response: { 200: z.object({ issue: z.string(), status: z.enum(statuses), before: z.enum(statuses) }) },
        },
      },
      async (req) => {
        const before = await setIssueStatus(ctx.db, req.params.issue, req.body.status, req.body.release);
        if (!before) throw new SlipwayError('not_found', `no issue ${req.params.issue}`);
        req.audit = {
          target: `issue=${req.params.issue}`,
          before: { status: before },
          after: { status: req.body.status },
        };
        return { issue: req.params.issue, status: req.body.status, before };
      },
    );

    app.get(
      '/api/v1/projects/:project/release-health',
      {
        config: {
          access: { action: 'errors.health', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Crash-free sessions and users per release and environment, per hour, from SDK sessions',
          tags: ['errors'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().optional(),
            release: z.string().optional(),
            hours: z.coerce
              .number()
              .int()
              .min(1)
              .max(24 * 90)
              .default(24),
          }),
          response: { 200: healthView },
        },
      },
      async (req) => {
        const environments = req.query.environment ? [req.query.environment] : viewableEnvironments(req.principal!);
        return releaseHealth(ctx.db, { project: req.params.project, environments, ...req.query });
      },
    );
  };
}
