import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import type { DeploymentView } from './follow.js';

/**
 * A deployment named by id (dep_…), or by service and environment (the one in flight there).
 * The CLI's verbs take either, since at 2 a.m. people know the service, not the id.
 */
export async function resolveDeployment(
  ctx: CommandContext,
  target: string,
  environment: string | undefined,
  verb: string,
): Promise<string> {
  if (target.startsWith('dep_')) return target;
  if (!environment)
    throw new CliError(
      'invalid_input',
      `${verb} ${target}: name the environment with --env, or give a deployment id (dep_…)`,
    );
  const query = new URLSearchParams({ project: ctx.project, service: target, environment, limit: '5' });
  const { deployments } = await ctx.client.call<{ deployments: DeploymentView[] }>(
    'GET',
    `/api/v1/deployments?${query}`,
  );
  const active = deployments.find((d) => d.state === 'running' || d.state === 'rolling_back' || d.state === 'queued');
  if (!active) {
    const last = deployments[0];
    throw new CliError(
      'conflict',
      `${target} has no deployment in flight in ${environment}${last ? ` (the last one, ${last.id}, ${last.state.replace('_', ' ')})` : ''}`,
    );
  }
  return active.id;
}
