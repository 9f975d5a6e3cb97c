import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createUser, disableUser, listUsers, setPassword } from '../../access/users.js';
import type { UserSummary } from '../../store/repos/users.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { grantInput } from '../token-views.js';

/** Local users, managed by admins (passwords in, never out; no hashes or TOTP secrets listed). */

const userView = z.object({
  name: z.string(),
  grants: z.array(grantInput),
  state: z.enum(['active', 'disabled']),
  totpEnabled: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  disabledAt: z.iso.datetime({ offset: true }).nullable(),
});

function presentUser(u: UserSummary): z.infer<typeof userView> {
  return {
    name: u.name,
    grants: u.grants,
    state: u.disabledAt ? 'disabled' : 'active',
    totpEnabled: u.totpEnabled,
    createdBy: u.createdBy ?? null,
    createdAt: u.createdAt.toISOString(),
    disabledAt: u.disabledAt?.toISOString() ?? null,
  };
}

const nameParams = z.object({ name: z.string().min(1).max(64) });
const password = z.string().min(1).max(1024).describe('At least 12 characters; stored as an argon2id hash');

export function userRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/users',
      {
        config: { access: { action: 'user.create', role: 'admin' } },
        schema: {
          summary: 'Create a local user (logs in with a password, then TOTP)',
          tags: ['users'],
          body: z.object({
            name: z.string().min(1).max(64),
            password,
            grants: z.array(grantInput).min(1, 'grant at least one role'),
          }),
          response: { 201: z.object({ user: userView }), 400: errorBody, 403: errorBody, 409: errorBody },
        },
      },
      async (req, reply) => {
        req.audit = { target: `user=${req.body.name}` };
        const user = await createUser(ctx.db, {
          name: req.body.name,
          password: req.body.password,
          grants: req.body.grants,
          createdBy: req.principal?.name,
        });
        req.audit = { target: `user=${user.name}`, before: null, after: { grants: user.grants } };
        return reply.status(201).send({ user: presentUser(user) });
      },
    );

    app.get(
      '/api/v1/users',
      {
        config: { access: { action: 'user.list', role: 'admin' } },
        schema: {
          summary: 'Every local user with grants and state',
          tags: ['users'],
          response: { 200: z.object({ users: z.array(userView) }), 403: errorBody },
        },
      },
      async () => ({ users: (await listUsers(ctx.db)).map(presentUser) }),
    );

    app.put(
      '/api/v1/users/:name/password',
      {
        config: { access: { action: 'user.password', role: 'admin' } },
        schema: {
          summary: "Set a user's password; their open sessions end",
          tags: ['users'],
          params: nameParams,
          body: z.object({ password }),
          response: { 200: z.object({ user: userView }), 400: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        try {
          return { user: presentUser(await setPassword(ctx.db, req.params.name, req.body.password)) };
        } finally {
          // Their sessions ended in the store; forget them here too, so the next request is refused at once.
          ctx.principals?.forgetSubject(req.params.name);
        }
      },
    );

    app.post(
      '/api/v1/users/:name/disable',
      {
        config: { access: { action: 'user.disable', role: 'admin' } },
        schema: {
          summary: 'Disable a user: login is refused and their sessions end (idempotent)',
          tags: ['users'],
          params: nameParams,
          response: { 200: z.object({ user: userView }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        try {
          return { user: presentUser(await disableUser(ctx.db, req.params.name)) };
        } finally {
          ctx.principals?.forgetSubject(req.params.name);
        }
      },
    );
  };
}
