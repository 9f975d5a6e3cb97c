import { z } from 'zod';
import { oneLine } from '../plain-text.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { describeGrants } from '../../access/authorize.js';
import type { ApprovalPolicy, EnvironmentConfig, ProjectConfig } from '../../config/model.js';
import { approvalList, approvalStatus, type ApprovalStatus } from '../../engine/pipeline/approval-status.js';
import { approverEntry } from '../../engine/pipeline/approvals.js';
import { anotherApproverHint } from '../../engine/pipeline/approver-hint.js';
import { SlipwayError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { insertApproval, releaseRequester } from '../../store/repos/approvals.js';
import { getReleaseByVersion, type ReleaseRecord } from '../../store/repos/releases.js';
import type { ApiContext } from '../context.js';
import { errorBody, projectParams } from '../schemas.js';
import { canView } from '../visible.js';
import { configOf } from './projects.js';

const approvalStatusView = z.object({
  service: z.string(),
  version: z.string(),
  environment: z.string(),
  state: z.enum(['approved', 'pending', 'rejected']),
  required: z.int(),
  approvedBy: z.array(z.string()).describe('Distinct approvers whose approval counts (token names)'),
  missing: z.int(),
  rejection: z
    .object({ by: z.string(), reason: z.string(), at: z.string() })
    .nullable()
    .describe('The rejection that stops this release'),
  notCounted: z
    .array(z.object({ name: z.string(), why: z.string() }))
    .describe('Decisions that do not count: expired, by a revoked token, self-approval...'),
  waitsFor: z.string().nullable().describe('In words, what the release still waits for; null once approved'),
});

const decisionView = z.object({
  id: z.string(),
  service: z.string(),
  version: z.string(),
  environment: z.string(),
  decision: z.enum(['approve', 'reject']),
  by: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
  expiresAt: z.string().nullable(),
});

function presentStatus(s: ApprovalStatus): z.infer<typeof approvalStatusView> {
  return {
    service: s.service,
    version: s.version,
    environment: s.environment,
    state: s.state,
    required: s.required,
    approvedBy: s.approvedBy,
    missing: s.missing,
    rejection: s.rejection
      ? { by: s.rejection.by, reason: s.rejection.reason, at: s.rejection.at.toISOString() }
      : null,
    notCounted: s.notCounted,
    waitsFor: s.waitsFor ?? null,
  };
}

/** The environment and its policy, or the error that says why there is nothing to approve. */
function policyOf(config: ProjectConfig, name: string): { environment: EnvironmentConfig; policy: ApprovalPolicy } {
  const environment = config.environments.find((e) => e.name === name);
  if (!environment)
    throw new SlipwayError(
      'not_found',
      `no environment "${name}" in project ${config.project} (environments: ` +
        `${config.environments.map((e) => e.name).join(', ')})`,
    );
  if (!environment.approvals)
    throw new SlipwayError(
      'conflict',
      `${name} needs no approvals: add approvals: to environments.${name} in slipway.yaml to require them`,
    );
  return { environment, policy: environment.approvals };
}

/** The releases a decision is about: one service's, or every service's with this version. */
async function releasesFor(
  ctx: ApiContext,
  config: ProjectConfig,
  version: string,
  service?: string,
): Promise<ReleaseRecord[]> {
  if (service && !config.services.some((s) => s.name === service)) {
    throw new SlipwayError(
      'not_found',
      `no service "${service}" in project ${config.project} (services: ` +
        `${config.services.map((s) => s.name).join(', ')})`,
    );
  }
  const releases: ReleaseRecord[] = [];
  for (const name of service ? [service] : config.services.map((s) => s.name)) {
    const release = await getReleaseByVersion(ctx.db, config.project, name, version);
    if (release) releases.push(release);
  }
  if (releases.length === 0)
    throw new SlipwayError(
      'not_found',
      `no release ${version}${service ? ` of ${service}` : ''} exists yet: deploy it to an earlier environment first`,
    );
  return releases;
}

/** Approvals: approve or reject a release for an environment, and what waits for approval. */
export function approvalRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const now = () => new Date(ctx.engine.deps.clock.now());
  return async (app) => {
    app.post(
      '/api/v1/projects/:project/approvals',
      {
        // Any viewer of the environment reaches the handler, which checks the environment's approver list.
        config: { access: { action: 'approval.decide', role: 'viewer', environment: 'body.environment' } },
        schema: {
          summary: 'Approve or reject a release for an environment',
          description:
            "Approvers are API tokens: a name on the environment's `approvals.approvers` list, or a token holding a " +
            'listed `role:ROLE` there. Without `service`, every service with a release of this version. A ' +
            'rejection needs a reason and stops the release until its author approves after all, or a new version.',
          tags: ['releases'],
          params: projectParams,
          body: z.object({
            service: z.string().min(1).optional(),
            version: z.string().min(1).max(64),
            environment: z.string().min(1),
            decision: z.enum(['approve', 'reject']),
            reason: oneLine(z.string().trim().max(500)).optional(),
          }),
          response: {
            201: z.object({ decisions: z.array(decisionView), approvals: z.array(approvalStatusView) }),
            400: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (req, reply) => {
        const { version, decision } = req.body;
        const reason = req.body.reason || undefined;
        if (decision === 'reject' && !reason)
          throw new SlipwayError(
            'invalid_input',
            'a rejection needs a reason (--reason "…"): it is shown to whoever it stops',
          );
        const config = await configOf(ctx, req.params.project);
        const { environment, policy } = policyOf(config, req.body.environment);
        const releases = await releasesFor(ctx, config, version, req.body.service);
        const principal = req.principal!;
        if (!approverEntry(policy, environment.name, principal)) {
          throw new SlipwayError(
            'forbidden',
            `token "${principal.name}" may not ${decision} in ${environment.name}: approvers are ` +
              `${policy.approvers.join(', ')}; it has ${describeGrants(principal.grants)}`,
            {
              approvers: policy.approvers,
            },
          );
        }
        if (decision === 'approve' && !policy.selfApproval) {
          for (const release of releases) {
            if ((await releaseRequester(ctx.db, release.id)) === principal.name) {
              throw new SlipwayError(
                'forbidden',
                `${principal.name} first deployed ${release.service} ${version} and cannot approve it for ` +
                  `${environment.name} (selfApproval is off there); ` +
                  anotherApproverHint(policy, environment.name, principal.name),
              );
            }
          }
        }
        const at = now();
        const before = await Promise.all(
          releases.map((r) => approvalStatus(ctx.db, config.project, r.service, version, environment, at)),
        );
        const decisions = [];
        for (const release of releases) {
          const record = await insertApproval(ctx.db, {
            id: newId('apr'),
            project: config.project,
            service: release.service,
            version,
            releaseDigest: release.digest,
            environment: environment.name,
            decision,
            byName: principal.name,
            byToken: principal.tokenId,
            ...(reason ? { reason } : {}),
            at,
            ...(decision === 'approve' ? { expiresAt: new Date(at.getTime() + policy.expiresAfterMs) } : {}),
          });
          decisions.push(record);
          await ctx.events.emit({
            project: config.project,
            service: release.service,
            environment: environment.name,
            kind: decision === 'approve' ? 'approval.approved' : 'approval.rejected',
            message:
              `${principal.name} ${decision === 'approve' ? 'approved' : 'rejected'} ${release.service} ` +
              `${version} for ${environment.name}${reason ? `: ${reason}` : ''}`,
            data: { version, by: principal.name, ...(reason ? { reason } : {}) },
          });
        }
        const after = await Promise.all(
          releases.map((r) => approvalStatus(ctx.db, config.project, r.service, version, environment, at)),
        );
        const summary = (list: (ApprovalStatus | undefined)[]) =>
          list.map((s) => s && { service: s.service, state: s.state, approvedBy: s.approvedBy, missing: s.missing });
        req.audit = {
          target:
            `project=${config.project} version=${version} environment=${environment.name} ` +
            `services=${releases.map((r) => r.service).join(',')}`,
          before: summary(before),
          after: { decision, ...(reason ? { reason } : {}), approvals: summary(after) },
        };
        return reply.status(201).send({
          decisions: decisions.map((d) => ({
            id: d.id,
            service: d.service,
            version: d.version,
            environment: d.environment,
            decision: d.decision,
            by: d.byName,
            reason: d.reason ?? null,
            at: d.at.toISOString(),
            expiresAt: d.expiresAt?.toISOString() ?? null,
          })),
          approvals: after.filter((s): s is ApprovalStatus => Boolean(s)).map(presentStatus),
        });
      },
    );

    app.get(
      '/api/v1/projects/:project/approvals',
      {
        config: {
          access: { action: 'approval.list', role: 'viewer', environment: 'query.environment', anyEnvironment: true },
        },
        schema: {
          summary: 'Releases and where their approvals stand, per environment that needs approvals',
          description:
            'Releases not yet deployed successfully to the environment, and that did not fail in an earlier one ' +
            '(those wait for a fixed release, not approvals). `pending=true`: only those still waiting for ' +
            'approvals (not approved, not rejected).',
          tags: ['releases'],
          params: projectParams,
          querystring: z.object({
            environment: z.string().min(1).optional(),
            pending: z.enum(['true', 'false']).default('false'),
          }),
          response: { 200: z.object({ approvals: z.array(approvalStatusView) }), 404: errorBody },
        },
      },
      async (req) => {
        const config = await configOf(ctx, req.params.project);
        if (req.query.environment && !config.environments.some((e) => e.name === req.query.environment)) {
          throw new SlipwayError(
            'not_found',
            `no environment "${req.query.environment}" in project ${config.project} (environments: ` +
              `${config.environments.map((e) => e.name).join(', ')})`,
          );
        }
        const environments = config.environments
          .map((e) => e.name)
          .filter((e) => (req.query.environment ? e === req.query.environment : canView(req.principal, e)));
        const list = await approvalList(ctx.db, config, environments, now());
        return {
          approvals: list.filter((s) => req.query.pending === 'false' || s.state === 'pending').map(presentStatus),
        };
      },
    );
  };
}
