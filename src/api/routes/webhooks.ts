import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProjectConfig } from '../../config/model.js';
import { SlipwayError } from '../../shared/errors.js';
import { escapeUnstorable, unstorableIn } from '../../shared/storable-text.js';
import { newId } from '../../shared/ids.js';
import { listProjects } from '../../store/repos/projects.js';
import {
  claimDelivery,
  finishDelivery,
  recordDelivery,
  type NewDelivery,
} from '../../store/repos/webhook-deliveries.js';
import { parsePush, type PushEvent } from '../../triggers/push-event.js';
import { verifyGithubSignature } from '../../triggers/signature.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { outcomeOf, triggerPush } from '../webhook-push.js';

/** GitHub caps deliveries at 25 MB; pushes are far smaller, and every byte is hashed before it is trusted. */
const bodyLimit = 5 * 1024 * 1024;

const resultView = z.object({
  project: z.string(),
  service: z.string().optional(),
  environment: z.string().optional(),
  version: z.string().optional(),
  deployment: z.string().optional(),
  state: z.string().optional(),
  refused: z.string().optional(),
  ignored: z.string().optional(),
});
const answerView = z.object({
  delivery: z.string(),
  outcome: z.string(),
  message: z.string(),
  results: z.array(resultView),
});

function header(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() !== '' ? text.trim() : undefined;
}

/**
 * The first field of a push that the store could not keep (a NUL, an unpaired surrogate), named by
 * its path in GitHub's payload. This route reads raw bytes, so the API's input guard never sees them.
 */
function unstorablePushField(push: PushEvent): string | undefined {
  const kept = { ref: push.ref, 'pusher.name': push.pusher, 'repository.full_name': push.repository };
  for (const [path, value] of Object.entries(kept)) {
    const why = unstorableIn(value);
    if (why) return `${path} ${why}`;
  }
  return undefined;
}

/** The env variable a `secret: env:NAME` names. */
function secretVariable(config: ProjectConfig): string {
  return config.triggers!.github!.secret.replace(/^env:/, '');
}

/**
 * POST /api/v1/webhooks/github. Its own plugin: the body parser here keeps the raw bytes, so the
 * signature is checked over exactly what GitHub signed (re-serialised JSON would not match).
 * Public: GitHub sends no bearer token; the signature is the authentication. `env` is where
 * `triggers.github.secret: env:NAME` is read, at each delivery (a rotated secret needs no restart).
 */
export function webhookRoutes(ctx: ApiContext, env: NodeJS.ProcessEnv = process.env): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    // Any content type reaches the handler as bytes: it verifies the signature first, then says what it accepts.
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.post(
      '/api/v1/webhooks/github',
      {
        bodyLimit,
        config: { access: { action: 'webhook.github', role: 'viewer', public: true } },
        schema: {
          summary: "GitHub webhook: a push to a branch deploys per the project's triggers.github rules",
          description:
            'Authenticated by X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the secret ' +
            '`triggers.github.secret` names), not a bearer token. ' +
            'Each X-GitHub-Delivery is processed once. 202 says what was deployed or refused (freezes, promotion ' +
            'rules); ping answers 200; other events are recorded and ignored.',
          tags: ['webhooks'],
          security: [],
          response: {
            200: answerView,
            202: answerView,
            400: errorBody,
            401: errorBody,
            404: errorBody,
            415: errorBody,
          },
        },
      },
      async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const deliveryId = header(req.headers['x-github-delivery']);
        const event = header(req.headers['x-github-event']);
        const signature = header(req.headers['x-hub-signature-256']);
        req.audit = { target: `delivery=${deliveryId ?? 'none'} event=${event ?? 'none'}` };
        const base: Omit<NewDelivery, 'outcome'> = {
          id: newId('whd'),
          ...(deliveryId ? { deliveryId } : {}),
          ...(event ? { event } : {}),
        };
        const reject = async (
          outcome: 'unauthorized' | 'malformed',
          status: number,
          reason: string,
          code: 'unauthorized' | 'invalid_input' = 'invalid_input',
        ) => {
          // The reason can quote the payload (JSON.parse does): kept as received, with what the store refuses escaped.
          await recordDelivery(ctx.db, { ...base, outcome, status, reason: escapeUnstorable(reason) });
          req.audit = { ...req.audit, after: { outcome, reason } };
          if (status === 415) return reply.status(415).send({ error: { code, message: reason } });
          throw new SlipwayError(code, reason);
        };

        const configured = (await listProjects(ctx.db)).map((p) => p.config).filter((c) => c.triggers?.github);
        if (configured.length === 0)
          throw new SlipwayError(
            'not_found',
            'no project on this coordinator has triggers.github in its slipway.yaml; nothing listens to GitHub ' +
              'webhooks',
          );

        if (!signature) {
          return reject(
            'unauthorized',
            401,
            'missing X-Hub-Signature-256: give the GitHub webhook a secret, the value of the variable ' +
              'triggers.github.secret names',
            'unauthorized',
          );
        }
        const unset = configured
          .filter((c) => !env[secretVariable(c)])
          .map((c) => `${c.project} (${secretVariable(c)})`);
        if (unset.length > 0)
          ctx.logger.warn(
            { projects: unset },
            'the webhook secret variable of these projects is not set in the coordinator environment; their ' +
              'deliveries cannot verify',
          );
        const signedFor = configured.filter((c) => {
          const secret = env[secretVariable(c)];
          return secret !== undefined && secret !== '' && verifyGithubSignature(secret, raw, signature);
        });
        if (signedFor.length === 0) {
          const why = unset.length > 0 ? ` (secret variable not set for: ${unset.join(', ')})` : '';
          await recordDelivery(ctx.db, {
            ...base,
            outcome: 'unauthorized',
            status: 401,
            reason: `X-Hub-Signature-256 matched no project's secret${why}`,
          });
          req.audit = { ...req.audit, after: { outcome: 'unauthorized' } };
          throw new SlipwayError(
            'unauthorized',
            'X-Hub-Signature-256 does not match: the webhook secret differs from the value of the variable ' +
              'triggers.github.secret names',
          );
        }

        if (!deliveryId)
          return reject('malformed', 400, 'missing X-GitHub-Delivery header: every delivery carries a unique id');
        if (!event) return reject('malformed', 400, 'missing X-GitHub-Event header');
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (type !== 'application/json') {
          return reject(
            'malformed',
            415,
            `content type "${type || 'none'}" is not accepted: set the GitHub webhook's content type to ` +
              `application/json`,
            'invalid_input',
          );
        }
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          return reject('malformed', 400, `malformed JSON payload: ${(e as Error).message}`);
        }
        let push: PushEvent | undefined;
        if (event === 'push') {
          const parsed = parsePush(payload);
          if (!parsed.ok) return reject('malformed', 400, parsed.reason);
          const unstorable = unstorablePushField(parsed.push);
          if (unstorable) return reject('malformed', 400, `not a GitHub push payload Slipway can keep: ${unstorable}`);
          push = parsed.push;
        }

        const facts = push
          ? {
              repository: push.repository,
              branch: push.branch,
              commitSha: push.sha,
              committedAt: push.committedAt,
              pusher: push.pusher,
            }
          : {};
        const claim = await claimDelivery(ctx.db, { ...base, ...facts, deliveryId, outcome: 'processing' });
        if (!claim.claimed) {
          const message =
            `delivery ${deliveryId} was already processed at ` +
            `${claim.earlier.receivedAt.toISOString()} (${claim.earlier.outcome}): ignored`;
          await recordDelivery(ctx.db, {
            ...base,
            ...facts,
            outcome: 'replayed',
            status: 200,
            reason: `replay of ${claim.earlier.id}`,
          });
          req.audit = { ...req.audit, after: { outcome: 'replayed', earlier: claim.earlier.id } };
          return reply.status(200).send({ delivery: deliveryId, outcome: 'replayed', message, results: [] });
        }

        try {
          const answer = async (
            status: 200 | 202,
            outcome: 'ping' | 'ignored' | 'triggered' | 'refused',
            message: string,
            results: Awaited<ReturnType<typeof triggerPush>> = [],
          ) => {
            await finishDelivery(ctx.db, base.id, { outcome, status, reason: message, results });
            req.audit = {
              ...req.audit,
              after: { outcome, deployments: results.flatMap((r) => (r.deployment ? [r.deployment] : [])) },
            };
            return reply.status(status).send({ delivery: deliveryId, outcome, message, results });
          };
          if (event === 'ping')
            return await answer(
              200,
              'ping',
              `pong: ${signedFor.map((c) => c.project).join(', ')} listens to this webhook`,
            );
          if (!push)
            return await answer(202, 'ignored', `event "${event}" does not trigger deployments (only push does)`);
          const results = await triggerPush(ctx, signedFor, push, base.id);
          const outcome = outcomeOf(results);
          const started = results.filter((r) => r.deployment).length;
          const message =
            outcome === 'triggered'
              ? `${started} deployment${started === 1 ? '' : 's'} started for ${push.sha.slice(0, 7)} on ${push.branch}`
              : outcome === 'refused'
                ? `nothing deployed: ${results.flatMap((r) => (r.refused ? [r.refused] : [])).join('; ')}`
                : `nothing deployed: ` +
                  `${results.flatMap((r) => (r.ignored ? [`${r.project}: ${r.ignored}`] : [])).join('; ')}`;
          return await answer(202, outcome, message, results);
        } catch (e) {
          // Released, so GitHub's retry of this 5xx is processed rather than taken for a replay.
          await finishDelivery(ctx.db, base.id, { outcome: 'failed', status: 500, reason: (e as Error).message }).catch(
            () => undefined,
          );
          throw e;
        }
      },
    );
  };
}
