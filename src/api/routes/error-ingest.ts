import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ErrorIngest } from '../../observe/errors/error-ingest.js';
import { IngestError } from '../../observe/errors/ingest-error.js';
import { ingestLimits } from '../../observe/errors/limits.js';
import { presentedKey } from '../../observe/errors/sentry-auth.js';

const params = z.object({ projectId: z.string().describe('The numeric id at the end of the DSN') });
const query = z.object({
  sentry_key: z.string().optional().describe('The DSN public key (or send X-Sentry-Auth)'),
  sentry_version: z.string().optional(),
  sentry_client: z.string().optional(),
});
const answer = z.object({ id: z.string().optional() });

/** The body of a refused ingest request (this route, and the raw node:http path in ingest-fast-path.ts). */
export function ingestRefusal(e: IngestError): { error: { code: string; message: string } } {
  const code = {
    400: 'invalid_input',
    401: 'unauthorized',
    403: 'forbidden',
    413: 'too_large',
    415: 'invalid_input',
    429: 'rate_limited',
  }[e.status];
  return { error: { code, message: e.message } };
}

/**
 * The Sentry protocol's ingest endpoints, so the official SDKs report to Slipway unchanged.
 * Bodies are taken as bytes (any content type, gzip/deflate/br); the DSN key in the request
 * authenticates and names the project and environment (config.access.dsnKey).
 */
export function errorIngestRoutes(ingest: ErrorIngest): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ingestLimits.bodyBytes }, (_req, body, done) =>
      done(null, body),
    );
    const handle = (kind: 'envelope' | 'store') => async (req: FastifyRequest, reply: FastifyReply) => {
      // Browser SDKs post from the page's origin; the DSN key, not the origin, is the credential.
      reply.header('access-control-allow-origin', '*');
      try {
        const key = await ingest.authenticate(
          Number((req.params as { projectId: string }).projectId),
          presentedKey(req.headers['x-sentry-auth'], req.query),
        );
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (body.length === 0)
          throw new IngestError(400, `empty body: expected ${kind === 'store' ? 'an event' : 'an envelope'}`);
        const id = await ingest.ingest(key, body, req.headers['content-encoding'], kind);
        return reply.status(200).send(id ? { id } : {});
      } catch (e) {
        if (!(e instanceof IngestError)) throw e;
        if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
        return reply.status(e.status).send(ingestRefusal(e));
      }
    };
    const schema = (summary: string) => ({
      summary,
      tags: ['errors'],
      params,
      querystring: query,
      security: [],
      response: { 200: answer },
    });
    app.post(
      '/api/:projectId/envelope/',
      {
        config: { access: { action: 'errors.ingest', role: 'viewer', dsnKey: true } },
        schema: schema('Sentry envelope ingest (event, transaction, session, sessions items; others ignored)'),
      },
      handle('envelope'),
    );
    app.post(
      '/api/:projectId/store/',
      {
        config: { access: { action: 'errors.ingest', role: 'viewer', dsnKey: true } },
        schema: schema('Legacy Sentry store endpoint: one event as JSON'),
      },
      handle('store'),
    );
  };
}
