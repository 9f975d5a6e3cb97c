import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import type { DeploymentView } from '../follow.js';
import { printJson } from '../output.js';
import { waitAndReport } from './deploy.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description(
      'Roll a service back: abort the deployment in flight, or bring the previous release back (instantly while it ' +
        'is warm)',
    )
    .argument('<service>', 'service name')
    .requiredOption('-e, --env <environment>', 'environment')
    .option('--no-wait', 'return at once instead of following the rollback')
    .option('--json', 'print JSON')
    .action(async (service: string, opts: { env: string; wait: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
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
