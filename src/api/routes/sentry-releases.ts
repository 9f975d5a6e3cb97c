import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { viewableEnvironments } from '../../access/authorize.js';
import {
  newDeploy,
  newRelease,
  organizationSlug,
  releaseUpdate,
  releaseVersion,
} from '../../observe/errors/sentry-release-input.js';
import { createRelease, recordDeploy, requireRelease, updateRelease } from '../../observe/errors/sentry-releases.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { presentDeploy, presentRelease } from './sentry-release-views.js';

const orgParams = z.object({ org: organizationSlug });
const releaseParams = z.object({ org: organizationSlug, version: releaseVersion });
const anything = z.record(z.string(), z.unknown());
const tags = ['sentry releases'];

/**
 * The part of Sentry's release API that `sentry-cli releases new / finalize / set-commits` and
 * `sentry-cli deploys new / list` call, so a CI that reports releases to Sentry can point
 * SENTRY_URL at the coordinator with a Slipway token (Bearer) as SENTRY_AUTH_TOKEN. Sentry
 * project slugs are Slipway project names; there is one organization, whatever its slug.
 * A release is linked to the Slipway releases of the same version; releases and deploys are events.
 */
export function sentryReleaseRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/0/organizations/:org/releases/',
      {
        // Release metadata belongs to no environment: a deployer anywhere (a CI token) may report it.
        config: { access: { action: 'sentry.release.create', role: 'deployer', anyEnvironment: true } },
        schema: {
          summary: 'Sentry API: create a release (sentry-cli releases new); 208 when the version exists',
          tags,
          params: orgParams,
          body: newRelease,
          response: { 201: anything, 208: anything, 400: errorBody, 403: errorBody },
        },
      },
      async (req, reply) => {
        const { created, release } = await createRelease(ctx.db, req.params.org, req.body);
        return reply.status(created ? 201 : 208).send(await presentRelease(ctx.db, release));
      },
    );

    app.get(
      '/api/0/organizations/:org/releases/:version/',
      {
        config: { access: { action: 'sentry.release.show', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'Sentry API: retrieve a release',
          tags,
          params: releaseParams,
          response: { 200: anything, 404: errorBody },
        },
      },
      async (req) => presentRelease(ctx.db, await requireRelease(ctx.db, req.params.version)),
    );

    app.put(
      '/api/0/organizations/:org/releases/:version/',
      {
        config: { access: { action: 'sentry.release.update', role: 'deployer', anyEnvironment: true } },
        schema: {
          summary: 'Sentry API: update a release (sentry-cli releases finalize, set-commits)',
          tags,
          params: releaseParams,
          body: releaseUpdate,
          response: { 200: anything, 400: errorBody, 404: errorBody },
        },
      },
      async (req) => {
        const release = await updateRelease(ctx.db, req.params.org, req.params.version, req.body);
        return presentRelease(ctx.db, release);
      },
    );

    app.post(
      '/api/0/organizations/:org/releases/:version/deploys/',
      {
        config: { access: { action: 'sentry.deploy.create', role: 'deployer', environment: 'body.environment' } },
        schema: {
          summary: 'Sentry API: record a deploy of a release to an environment (sentry-cli deploys new)',
          tags,
          params: releaseParams,
          body: newDeploy,
          response: { 201: anything, 400: errorBody, 404: errorBody },
        },
      },
      async (req, reply) => {
        const deploy = await recordDeploy(ctx.db, req.params.org, req.params.version, req.body);
        return reply.status(201).send(presentDeploy(deploy));
      },
    );

    app.get(
      '/api/0/organizations/:org/releases/:version/deploys/',
      {
        config: { access: { action: 'sentry.deploy.list', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: "Sentry API: a release's deploys, newest first (sentry-cli deploys list)",
          tags,
          params: releaseParams,
          response: { 200: z.array(anything), 404: errorBody },
        },
      },
      async (req) => {
        const release = await requireRelease(ctx.db, req.params.version);
        const visible = viewableEnvironments(req.principal!);
        return release.deploys
          .filter((d) => visible === '*' || visible.includes(d.environment))
          .reverse()
          .map(presentDeploy);
      },
    );
  };
}
