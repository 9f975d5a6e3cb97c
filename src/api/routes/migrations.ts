import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { environmentMigrations } from '../../migrations/sequencing/environment-state.js';
import { environmentPlan } from '../../migrations/sequencing/environment-plan.js';
import { SlipwayError } from '../../shared/errors.js';
import type { ApiContext } from '../context.js';
import { errorBody, projectParams } from '../schemas.js';
import { canView } from '../visible.js';
import { configOf } from './projects.js';

const migrationRow = z.object({
  version: z.int(),
  id: z.string(),
  phase: z.enum(['expand', 'contract']).nullable(),
  state: z.enum(['applied', 'pending', 'partial', 'drift', 'missing-file']),
  checksum: z.string().describe('sha256 of the up script (as applied; the file while pending)'),
  checksumOk: z.boolean().describe('False when the file differs from what was applied'),
  appliedAt: z.string().nullable(),
  release: z.string().nullable().describe('The release version that applied it'),
  deploymentId: z.string().nullable().describe("The deployment of that release in this environment, when it's known"),
  durationMs: z.int().nullable(),
  statementsDone: z.int().nullable(),
  file: z.string().nullable().describe("The up script, relative to the project's directory"),
});

const environmentView = z.object({
  name: z.string(),
  database: z.string().nullable().describe('host:port/database (never credentials)'),
  stable: z.string().nullable().describe("The database service's stable release here"),
  newest: z.string().nullable().describe('The newest release of the database service: its files are compared'),
  error: z.string().nullable().describe('Why the state could not be read'),
  migrations: z.array(migrationRow),
  contracts: z.array(
    z.object({
      migration: z.string(),
      after: z.string().describe('The first release that no longer needs the old schema'),
      state: z.enum(['waiting', 'ready']),
      blockers: z.array(z.object({ environment: z.string(), version: z.string(), instances: z.int() })),
    }),
  ),
  findings: z.array(
    z.object({
      migration: z.string(),
      file: z.string(),
      line: z.int(),
      col: z.int(),
      rule: z.string(),
      class: z.string(),
      level: z.enum(['error', 'warning']),
      message: z.string(),
      safeAlternative: z.string(),
      allowedBecause: z.string().nullable(),
    }),
  ),
});

const planView = z.object({
  environment: z.string(),
  database: z.string().nullable().describe('host:port/database (never credentials)'),
  release: z.string().nullable().describe("The database service's newest release: its migration files are planned"),
  appliedThrough: z.int().describe('The last version applied completely; pending ones are above it'),
  pending: z.array(
    z.object({
      version: z.int(),
      id: z.string(),
      phase: z.enum(['expand', 'contract']).nullable(),
      after: z.string().nullable(),
      runs: z
        .enum(['now', 'waits'])
        .describe(
          "now: the release's expand step runs it; waits: a contract (or after one), once no live release " +
            'needs the old schema',
        ),
      file: z.string(),
    }),
  ),
  problems: z.array(z.string()).describe('What would stop the expand step (lint, dry run), as the deployment says it'),
  dryRun: z
    .object({
      ok: z.boolean(),
      totalMs: z.int(),
      notes: z.array(z.string()),
      steps: z.array(
        z.object({
          migration: z.string(),
          direction: z.enum(['up', 'down', 'reup']),
          ok: z.boolean(),
          durationMs: z.int(),
          problem: z.enum(['error', 'down-mismatch', 'reup-mismatch']).nullable(),
          details: z.array(z.string()),
        }),
      ),
    })
    .nullable()
    .describe(
      'The shadow dry run: up, down, up again on a throwaway in-memory PostgreSQL (PGlite); null: none pending',
    ),
  error: z.string().nullable().describe('Why there is no plan'),
  plannedAt: z.string(),
});

/**
 * One dry run at a time in this coordinator: each starts an in-memory PostgreSQL (hundreds of MB). Requests for the
 * same environment while one runs share its answer.
 */
const planning = new Map<string, Promise<unknown>>();
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
  const running = planning.get(key);
  if (running) return running as Promise<T>;
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  planning.set(key, next);
  void next.finally(() => planning.delete(key)).catch(() => undefined);
  return next;
}

/** The Migrations view's data: per environment, the database against the newest release's migration files. */
/** The project's config, refused with 404 when it has no database section or (if named) no such environment. */
async function databaseConfigOf(ctx: ApiContext, project: string, environment?: string) {
  const config = await configOf(ctx, project);
  if (!config.database)
    throw new SlipwayError(
      'not_found',
      `project ${config.project} has no database section in slipway.yaml, so it has no migrations`,
    );
  if (environment !== undefined && !config.environments.some((e) => e.name === environment))
    throw new SlipwayError('not_found', `project ${config.project} has no environment "${environment}"`);
  return { ...config, database: config.database };
}

export function migrationRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/migrations',
      {
        config: {
          access: {
            action: 'migration.status',
            role: 'viewer',
            environment: 'query.environment',
            anyEnvironment: true,
          },
        },
        schema: {
          summary:
            "Per environment: the applied and pending migrations of the database service's newest release, drift, " +
            'lint findings of the pending ones, and which contract migrations wait for which live releases',
          tags: ['migrations'],
          params: projectParams,
          querystring: z.object({ environment: z.string().min(1).max(100).optional() }),
          response: {
            200: z.object({ project: z.string(), service: z.string(), environments: z.array(environmentView) }),
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        const wanted = req.query.environment;
        const config = await databaseConfigOf(ctx, req.params.project, wanted);
        const names = config.environments
          .map((e) => e.name)
          .filter((name) => (wanted ? name === wanted : canView(req.principal, name)));
        const environments = [];
        // One after the other: each opens a session on its database, and they are often the same server.
        for (const name of names) environments.push(await environmentMigrations(ctx.db, config, name));
        return { project: config.project, service: config.database.service, environments };
      },
    );

    app.post(
      '/api/v1/projects/:project/migrations/plan',
      {
        config: { access: { action: 'migration.plan', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary:
            "The migration plan of an environment: the pending migrations of the database service's newest release " +
            'in order, with phase and whether they run now or wait, and the shadow dry run (up, down, up on a ' +
            "throwaway PGlite). The environment's database is only read",
          tags: ['migrations'],
          params: projectParams,
          body: z.object({ environment: z.string().min(1).max(100) }),
          response: { 200: planView, 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const { environment } = req.body;
        const config = await databaseConfigOf(ctx, req.params.project, environment);
        req.audit = { target: `project=${config.project} environment=${environment}` };
        return oneAtATime(`${config.project}\u0000${environment}`, () => environmentPlan(ctx.db, config, environment));
      },
    );
  };
}
