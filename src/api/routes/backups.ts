import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { BackupManifest } from '../../migrations/backups/manifest.js';
import { SlipwayError } from '../../shared/errors.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';

const scopeParams = z.object({ project: z.string().min(1).max(100), environment: z.string().min(1).max(100) });
const base = '/api/v1/projects/:project/environments/:environment/backups';

const backupView = z.object({
  id: z.string(),
  release: z.string().describe('The release whose migrations ran after it: restoring it is "the state before" it'),
  createdAt: z.string(),
  durationMs: z.int(),
  bytes: z.int(),
  sha256: z.string(),
  scope: z.enum(['database', 'touched']),
  tables: z.array(z.string()),
  database: z.string().describe('host:port/database (never credentials)'),
  migrationsThrough: z.int(),
  migratedAt: z.string().nullable().describe("When the release's migrations finished; null if they never did"),
});

function present(m: BackupManifest): z.infer<typeof backupView> {
  return {
    id: m.id,
    release: m.release,
    createdAt: m.createdAt,
    durationMs: m.durationMs,
    bytes: m.bytes,
    sha256: m.sha256,
    scope: m.scope,
    tables: m.tables,
    database: m.database,
    migrationsThrough: m.migrationsThrough,
    migratedAt: m.afterMigrations?.at ?? null,
  };
}

function backupsOf(ctx: ApiContext) {
  if (!ctx.backups) throw new SlipwayError('unavailable', 'database backups are not available on this coordinator');
  return ctx.backups;
}

/** The backups taken before each release's migrations, and the restore that goes back to one. */
export function backupRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      base,
      {
        config: { access: { action: 'backup.list', role: 'viewer', environment: 'params.environment' } },
        schema: {
          summary: "An environment's database backups, newest first (one before each release's migrations)",
          tags: ['backups'],
          params: scopeParams,
          response: { 200: z.object({ backups: z.array(backupView) }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const list = await backupsOf(ctx).list(req.params.project, req.params.environment);
        return { backups: list.map(present) };
      },
    );

    app.post(
      `${base}/restore`,
      {
        config: { access: { action: 'backup.restore', role: 'admin', environment: 'params.environment' } },
        schema: {
          summary: 'Restore the database to the state before a release, in one transaction',
          description:
            'Refused (409) while the database service is being deployed; while the release is the live one, and ' +
            'when rows written since its migrations would be discarded, unless `force`. A restore that fails ' +
            'changes nothing.',
          tags: ['backups'],
          params: scopeParams,
          body: z
            .object({
              release: z.string().min(1).max(64).optional().describe('The newest backup taken before this release'),
              backup: z.string().min(1).max(100).optional().describe('Or this backup id'),
              force: z.boolean().default(false),
            })
            .refine((b) => (b.release === undefined) !== (b.backup === undefined), {
              message: 'give exactly one of release and backup',
              path: ['release'],
            }),
          response: {
            200: z.object({
              backup: backupView,
              durationMs: z.int(),
              discardedRows: z.int().describe('Rows written since the migrations that the restore threw away'),
            }),
            400: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req) => {
        const restored = await backupsOf(ctx).restore({
          project: req.params.project,
          environment: req.params.environment,
          ...(req.body.release ? { release: req.body.release } : {}),
          ...(req.body.backup ? { backup: req.body.backup } : {}),
          force: req.body.force,
          ...(req.principal ? { by: req.principal.name } : {}),
        });
        req.audit = {
          target: `project=${req.params.project} environment=${req.params.environment}`,
          after: {
            backup: restored.backup.id,
            release: restored.backup.release,
            forced: req.body.force,
            discardedRows: restored.discarded.total,
          },
        };
        return {
          backup: present(restored.backup),
          durationMs: restored.durationMs,
          discardedRows: restored.discarded.total,
        };
      },
    );
  };
}
