import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { durationProblem, longestDuration, parseDuration } from '../../shared/duration.js';
import { SlipwayError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { findTokenByHash, insertToken, listTokens, revokeToken } from '../../store/repos/tokens.js';
import { generateToken, hashToken } from '../auth.js';
import type { ApiContext } from '../context.js';
import { errorBody, idParams } from '../schemas.js';
import { grantInput, presentToken, tokenView } from '../token-views.js';

/**
 * When a new token expires: `expiresIn` ("30d") or `expiresAt` (RFC 3339), not both; never in the
 * past, and at most 366 days ahead.
 */
function expiryOf(body: { expiresIn?: string; expiresAt?: string }, now = Date.now()): Date | undefined {
  if (body.expiresIn && body.expiresAt)
    throw new SlipwayError('invalid_input', 'body.expiresIn and body.expiresAt: give one of them, not both');
  if (body.expiresIn !== undefined) {
    // "" used to mean "never expires": an expiry asked for is an expiry given, or a refusal.
    const problem =
      durationProblem(body.expiresIn) ?? (parseDuration(body.expiresIn) === 0 ? 'must be longer than 0' : undefined);
    if (problem)
      throw new SlipwayError('invalid_input', `body.expiresIn: "${body.expiresIn}" ${problem} (like 30d, 12h)`);
    return new Date(now + parseDuration(body.expiresIn)!);
  }
  if (body.expiresAt) {
    const at = new Date(body.expiresAt);
    if (at.getTime() <= now)
      throw new SlipwayError('invalid_input', `body.expiresAt: ${body.expiresAt} is in the past`);
    // The bound of expiresIn, so no date can make a token that outlives it (nor one the store cannot keep).
    if (at.getTime() > now + longestDuration.ms)
      throw new SlipwayError(
        'invalid_input',
        `body.expiresAt: ${body.expiresAt} is more than ${longestDuration.text} ahead`,
      );
    return at;
  }
  return undefined;
}

export function tokenRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/tokens',
      {
        config: { access: { action: 'token.create', role: 'admin' } },
        schema: {
          summary:
            'Create an API token scoped to roles per environment; the token is in the answer, once, and never again',
          tags: ['tokens'],
          body: z.object({
            name: z.string().min(1).max(100),
            grants: z.array(grantInput).min(1, 'grant at least one role'),
            expiresIn: z.string().optional().describe('Duration until it expires, e.g. 30d'),
            expiresAt: z.iso.datetime({ offset: true }).optional(),
          }),
          response: {
            201: z.object({
              token: tokenView,
              secret: z.string().describe('The bearer token: shown once, stored hashed'),
            }),
            400: errorBody,
            403: errorBody,
          },
        },
      },
      async (req, reply) => {
        const expiresAt = expiryOf(req.body);
        const secret = generateToken();
        const id = newId('tok');
        await insertToken(ctx.db, {
          id,
          name: req.body.name,
          hash: hashToken(secret),
          grants: req.body.grants,
          expiresAt,
          createdBy: req.principal?.name,
        });
        const stored = await findTokenByHash(ctx.db, hashToken(secret));
        return reply.status(201).send({ token: presentToken(stored!), secret });
      },
    );

    app.get(
      '/api/v1/tokens',
      {
        config: { access: { action: 'token.list', role: 'admin' } },
        schema: {
          summary: 'Every token with its grants and state (no secrets)',
          tags: ['tokens'],
          response: { 200: z.object({ tokens: z.array(tokenView) }), 403: errorBody },
        },
      },
      async () => ({ tokens: (await listTokens(ctx.db)).map((t) => presentToken(t)) }),
    );

    app.delete(
      '/api/v1/tokens/:id',
      {
        config: { access: { action: 'token.revoke', role: 'admin' } },
        schema: {
          summary: 'Revoke a token (idempotent: revoking again keeps the first time)',
          tags: ['tokens'],
          params: idParams,
          response: { 200: z.object({ token: tokenView }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const revoked = await revokeToken(ctx.db, req.params.id);
        if (!revoked) throw new SlipwayError('not_found', `no token ${req.params.id} (slipway tokens list shows them)`);
        // The next request with it is refused here at once (other coordinators within the cache's bound).
        ctx.principals?.forgetToken(revoked.id);
        return { token: presentToken(revoked) };
      },
    );
  };
}
