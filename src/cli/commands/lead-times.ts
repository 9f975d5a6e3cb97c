import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { renderLeadTimes, type LeadTimesView } from '../render-lead-times.js';
import { limitOption } from '../limit-option.js';

export function registerLeadTimes(program: Command): void {
  program
    .command('lead-times')
    .description(
      'Lead time for changes (commit → deployment succeeded) of deployments triggered by GitHub pushes, newest first',
    )
    .argument('[service]', 'only this service')
    .option('-e, --env <environment>', 'only this environment (production for the DORA figure)')
    .option('-n, --limit <n>', 'how many (the median is over these)', '20')
    .option('--json', 'print JSON')
    .action(
      async (service: string | undefined, opts: { env?: string; limit: string; json?: boolean }, cmd: Command) => {
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const query = new URLSearchParams({ limit: String(limitOption(opts.limit, 500)) });
        if (service) query.set('service', service);
        if (opts.env) query.set('environment', opts.env);
        const view = await ctx.client.call<LeadTimesView>(
          'GET',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/lead-times?${query}`,
        );
        if (opts.json) return printJson(view);
        process.stdout.write(renderLeadTimes(view));
      },
    );
}
