import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SecretVault } from '../../access/secrets/vault.js';
import { SlipwayError } from '../../shared/errors.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { configOf } from './projects.js';

const scopeParams = z.object({ project: z.string().min(1).max(100), environment: z.string().min(1).max(100) });
const secretParams = scopeParams.extend({ name: z.string().min(1).max(128) });
const versionView = z.object({ name: z.string(), version: z.int() });
const secretView = z.object({
  name: z.string(),
  version: z.int(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
const base = '/api/v1/projects/:project/environments/:environment/secrets';

/** The vault, or 503 when this API was built without one (tests of other routes). */
function vaultOf(ctx: ApiContext): SecretVault {
  if (!ctx.secrets)
    throw new SlipwayError(
      'unavailable',
      'secrets are not available on this coordinator (it was started without a master key)',
    );
  return ctx.secrets;
}

/** The scope of a request, after checking the project and environment exist. */
async function scopeOf(ctx: ApiContext, params: { project: string; environment: string }) {
  const config = await configOf(ctx, params.project);
  if (!config.environments.some((e) => e.name === params.environment))
    throw new SlipwayError('not_found', `project ${config.project} has no environment "${params.environment}"`);
  return { project: config.project, environment: params.environment };
}

const target = (p: { project: string; environment: string; name: string }) =>
  `secret=${p.name} project=${p.project} environment=${p.environment}`;

/**
 * Per-environment secrets. Values go in through PUT and come out only through an admin's
 * reveal; lists, audit entries and events name secrets and versions, never values.
 */
export function secretRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      `${base}/:name`,
      {
        config: { access: { action: 'secret.set', role: 'admin', environment: 'params.environment' } },
        schema: {
          summary:
            'Set a secret: a new version, encrypted at rest; instances started from now on get it as an environment ' +
            'variable',
          tags: ['secrets'],
          params: secretParams,
          body: z.object({ value: z.string().describe('The plaintext; never returned except by reveal') }),
          response: { 200: versionView, 400: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const scope = await scopeOf(ctx, req.params);
        const set = await vaultOf(ctx).set(scope, req.params.name, req.body.value, req.principal?.name);
        req.audit = { target: target(req.params), after: set };
        await ctx.events.emit({
          ...scope,
          kind: 'secret.set',
          message: `secret ${set.name} set (version ${set.version}) by ${req.principal?.name ?? 'unknown'}`,
          data: set,
        });
        return set;
      },
    );

    app.get(
      base,
      {
        config: { access: { action: 'secret.list', role: 'viewer', environment: 'params.environment' } },
        schema: {
          summary: "An environment's secrets: names, versions, when and by whom (never values)",
          tags: ['secrets'],
          params: scopeParams,
          response: { 200: z.object({ secrets: z.array(secretView) }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const list = await vaultOf(ctx).list(await scopeOf(ctx, req.params));
        return {
          secrets: list.map((s) => ({
            name: s.name,
            version: s.version,
            updatedAt: s.updatedAt.toISOString(),
            updatedBy: s.updatedBy ?? null,
          })),
        };
      },
    );

    app.delete(
      `${base}/:name`,
      {
        config: { access: { action: 'secret.unset', role: 'admin', environment: 'params.environment' } },
        schema: {
          summary: 'Unset a secret (its versions are kept encrypted; instances started from now on no longer get it)',
          tags: ['secrets'],
          params: secretParams,
          response: { 200: versionView, 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const scope = await scopeOf(ctx, req.params);
        const unset = await vaultOf(ctx).unset(scope, req.params.name);
        req.audit = { target: target(req.params), before: unset, after: null };
        await ctx.events.emit({
          ...scope,
          kind: 'secret.unset',
          message: `secret ${unset.name} unset by ${req.principal?.name ?? 'unknown'}`,
          data: unset,
        });
        return unset;
      },
    );

    app.post(
      `${base}/:name/reveal`,
      {
        config: { access: { action: 'secret.reveal', role: 'admin', environment: 'params.environment' } },
        schema: {
          summary: "A secret's current value, for an admin; the reveal is audited (without the value)",
          tags: ['secrets'],
          params: secretParams,
          response: { 200: versionView.extend({ value: z.string() }), 403: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const revealed = await vaultOf(ctx).reveal(await scopeOf(ctx, req.params), req.params.name);
        req.audit = { target: target(req.params), after: { revealed: revealed.name, version: revealed.version } };
        return revealed;
      },
    );

    app.post(
      '/api/v1/secrets/rotate-key',
      {
        config: { access: { action: 'secret.rotate-key', role: 'admin' } },
        schema: {
          summary:
            'Rotate the master key: re-wrap every data key under a new key file; safe to run again after an ' +
            'interruption',
          tags: ['secrets'],
          response: {
            200: z.object({ previousKeyId: z.string(), currentKeyId: z.string(), rewrapped: z.int() }),
            403: errorBody,
            409: errorBody,
          },
        },
      },
      async (req) => {
        const result = await vaultOf(ctx).rotateKey();
        req.audit = {
          target: 'master-key',
          before: { masterKeyId: result.previousKeyId },
          after: { masterKeyId: result.currentKeyId, rewrapped: result.rewrapped },
        };
        return result;
      },
    );
  };
}
