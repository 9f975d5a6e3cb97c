import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import type { DeploymentView } from '../follow.js';
import { printJson } from '../output.js';
import { waitAndReport } from './deploy.js';
import { CliError } from '../errors.js';
import type { ApiClient } from '../client.js';
import type { RolloutView } from '../render-rollout.js';
import { waitForRollout } from './release.js';

interface RollbackOptions {
  env: string;
  wait: boolean;
  release?: boolean;
  json?: boolean;
}

/** `slipway rollback --release --env E`: the latest rollout there goes back as a whole. */
async function rollBackRelease(client: ApiClient, project: string, opts: RollbackOptions): Promise<void> {
  const { rollouts } = await client.call<{ rollouts: RolloutView[] }>(
    'GET',
    `/api/v1/projects/${encodeURIComponent(project)}/rollouts?environment=${encodeURIComponent(opts.env)}&limit=1`,
  );
  const latest = rollouts[0];
  if (!latest)
    throw new CliError('not_found', `no release of the whole project has been made to ${opts.env} (slipway release)`);
  const { rollout } = await client.call<{ rollout: RolloutView }>(
    'POST',
    `/api/v1/rollouts/${encodeURIComponent(latest.id)}/rollback`,
  );
  if (!opts.wait) {
    if (opts.json) return printJson({ rollout });
    process.stdout.write(`rolling release ${rollout.version} back in ${opts.env} (${rollout.id})\n`);
    return;
  }
  if (!opts.json) process.stderr.write(`${rollout.id}: rolling release ${rollout.version} back in ${opts.env}\n`);
  try {
    await waitForRollout(client, rollout, Boolean(opts.json), { rollingBack: true });
  } catch (e) {
    // Rolled back is what was asked for.
    if (!(e instanceof CliError && /rolled back$/.test(e.message))) throw e;
  }
}

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description(
      'Roll a service back: abort the deployment in flight, or bring the previous release back (instantly while it ' +
        'is warm)',
    )
    .argument('[service]', 'service name (or --release for the whole release)')
    .requiredOption('-e, --env <environment>', 'environment')
    .option('--release', "roll back the environment's latest release of the whole project (slipway release)")
    .option('--no-wait', 'return at once instead of following the rollback')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  slipway rollback quote-api --env production\n  slipway rollback --release --env staging\n',
    )
    .action(async (service: string | undefined, opts: RollbackOptions, cmd: Command) => {
      if (opts.release && service)
        throw new CliError('invalid_input', '--release rolls back every service of the release: leave out the service');
      if (!opts.release && !service)
        throw new CliError('invalid_input', 'name the service to roll back, or pass --release for the whole release');
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      if (opts.release) return rollBackRelease(ctx.client, ctx.project, opts);
      const { deployment, aborted } = await ctx.client.call<{ deployment: DeploymentView; aborted: boolean }>(
        'POST',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/rollbacks`,
        { service, environment: opts.env },
      );
      if (!opts.wait) {
        if (opts.json) return printJson({ deployment, aborted });
        process.stdout.write(
          aborted
            ? `aborting ${deployment.id}: it rolls back to ${deployment.from?.version ?? 'nothing'}\n`
            : `rolling back to ${deployment.to.version} (${deployment.id})\n`,
        );
        return;
      }
      if (!opts.json)
        process.stderr.write(
          aborted
            ? `aborting ${deployment.id}; it rolls back to ${deployment.from?.version ?? 'nothing'}\n`
            : `${deployment.id}: rolling ${service} back ${deployment.from?.version} → ${deployment.to.version} in ` +
                `${opts.env}\n`,
        );
      if (aborted) {
        // An aborted deployment ends rolled_back: that is what was asked for.
        try {
          await waitAndReport(ctx.client, deployment, Boolean(opts.json));
        } catch (e) {
          if (!(e instanceof Error && /rolled back/.test(e.message))) throw e;
        }
        return;
      }
      await waitAndReport(ctx.client, deployment, Boolean(opts.json));
    });
}
