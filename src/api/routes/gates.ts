import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SlipwayError } from '../../shared/errors.js';
import { getDeployment } from '../../store/repos/deployments.js';
import { listGateResults, type GateResultRecord } from '../../store/repos/gate-results.js';
import { deploymentEnvironment } from '../access-sources.js';
import type { ApiContext } from '../context.js';
import { errorBody, idParams } from '../schemas.js';

/** One stored gate result as the API shows it. */
export const gateResultView = z.object({
  id: z.int(),
  phase: z.enum(['before', 'after']).describe('before: command and coverage gates; after: smoke checks'),
  name: z.string(),
  kind: z.enum(['command', 'coverage', 'smoke']),
  outcome: z.enum(['pass', 'fail', 'error']).describe('error: the gate could not run (program or report missing)'),
  message: z.string(),
  exitCode: z.int().nullable(),
  durationMs: z.int(),
  outputTail: z.string().nullable().describe("The last ~4 KB of the command's output, or of the smoke response body"),
  detail: z.record(z.string(), z.unknown()),
  at: z.string().describe('ISO 8601'),
});

function presentGateResult(r: GateResultRecord): z.infer<typeof gateResultView> {
  return {
    id: r.id,
    phase: r.phase,
    name: r.name,
    kind: r.kind,
    outcome: r.outcome,
    message: r.message,
    exitCode: r.exitCode ?? null,
    durationMs: r.durationMs,
    outputTail: r.outputTail ?? null,
    detail: r.detail,
    at: r.at.toISOString(),
  };
}

/** `GET /api/v1/deployments/:id/gates`: every gate result of a deployment, in the order they ran. */
export function gateRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const ofDeployment = deploymentEnvironment(ctx.db);
  return async (app) => {
    app.get(
      '/api/v1/deployments/:id/gates',
      {
        config: { access: { action: 'deployment.gates', role: 'viewer', environment: ofDeployment } },
        schema: {
          summary: "A deployment's gate results: commands and coverage before it, smoke checks after",
          tags: ['deployments'],
          params: idParams,
          response: { 200: z.object({ gates: z.array(gateResultView) }), 404: errorBody },
        },
      },
      async (req) => {
        if (!(await getDeployment(ctx.db, req.params.id)))
          throw new SlipwayError('not_found', `no deployment ${req.params.id}`);
        return { gates: (await listGateResults(ctx.db, req.params.id)).map(presentGateResult) };
      },
    );
  };
}
