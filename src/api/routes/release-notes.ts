import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SlipwayError } from '../../shared/errors.js';
import { getReleaseNotes } from '../../store/repos/release-notes.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { configOf } from './projects.js';

/** Release notes stored with a release when it was first deployed over another (src/release-notes/). */
export function releaseNotesRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/release-notes/:service/:version',
      {
        config: { access: { action: 'release.notes', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'The release notes of a service version: its commits since the stable release it replaced',
          description:
            'Written when a deployment of the version starts, from the git history of the project directory ' +
            '(conventional commits grouped as breaking changes, features and fixes; plain subjects as written).',
          tags: ['deployments'],
          params: z.object({
            project: z.string().min(1).max(100),
            service: z.string().min(1).max(100),
            version: z.string().min(1).max(64),
          }),
          response: {
            200: z.object({
              service: z.string(),
              version: z.string(),
              fromVersion: z.string().nullable(),
              markdown: z.string(),
              notes: z.unknown(),
              createdAt: z.string(),
            }),
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (req) => {
        await configOf(ctx, req.params.project);
        const n = await getReleaseNotes(ctx.db, req.params);
        if (!n)
          throw new SlipwayError(
            'not_found',
            `no release notes for ${req.params.service} ${req.params.version}: they are written when a deployment ` +
              `of it starts and git knows its commit (a push, or a tag v${req.params.version})`,
          );
        return {
          service: n.service,
          version: n.version,
          fromVersion: n.fromVersion ?? null,
          markdown: n.markdown,
          notes: n.notes,
          createdAt: n.createdAt.toISOString(),
        };
      },
    );
  };
}
