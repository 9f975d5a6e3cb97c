import type { CommandContext } from './context.js';
import { CliError } from './errors.js';

/**
 * The API path that steers a deployment named by id (dep_…), or by service and environment (the
 * one in flight there). The CLI's verbs take either, since at 2 a.m. people know the service, not
 * the id; the service form is one request, so the coordinator checks the caller's role before it
 * says whether anything is in flight (a viewer gets exit 4, not "nothing in flight").
 */
export function steeringPath(
  ctx: Pick<CommandContext, 'project'>,
  target: string,
  environment: string | undefined,
  verb: string,
): string {
  if (target.startsWith('dep_')) return `/api/v1/deployments/${encodeURIComponent(target)}/${verb}`;
  if (!environment)
    throw new CliError(
      'invalid_input',
      `${verb} ${target}: name the environment with --env, or give a deployment id (dep_…)`,
    );
  const [project, env, service] = [ctx.project, environment, target].map(encodeURIComponent);
  return `/api/v1/projects/${project}/environments/${env}/services/${service}/${verb}`;
}
