import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import type { DeploymentView } from '../follow.js';
import { printJson } from '../output.js';

export function registerAbort(program: Command): void {
  program
    .command('abort')
    .description('Abort a deployment in flight: traffic returns to the stable release and the candidate is stopped')
    .argument('<deployment>', 'deployment id (see slipway status / history)')
    .option('-r, --reason <text>', 'why, for the record')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { reason?: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const { deployment } = await ctx.client.call<{ deployment: DeploymentView }>('POST', `/api/v1/deployments/${encodeURIComponent(id)}/abort`, opts.reason ? { reason: opts.reason } : {});
      if (opts.json) return printJson({ deployment });
      process.stdout.write(deployment.state === 'cancelled' ? `cancelled queued deployment ${id}\n` : `aborting ${id}: rolling back to ${deployment.from?.version ?? 'nothing'}\n`);
    });
}
