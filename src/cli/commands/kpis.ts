import type { Command } from 'commander';
import { parsePeriod } from '../../kpis/period.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { renderKpis, type KpisView } from '../render-kpis.js';

export function registerKpis(program: Command): void {
  program
    .command('kpis')
    .description(
      'Delivery KPIs per environment over a period (DORA figures, success and rollback rates, MTTR, MTBF, uptime) ' +
        'against the targets',
    )
    .option(
      '--since <when>',
      'start: a duration back from --until, or from now without it (30d), or a date (2026-10-01)',
      '30d',
    )
    .option('--until <date>', 'end of the period, a date (default now)')
    .option('-e, --env <environment>', 'only this environment')
    .option('-s, --service <service>', 'only this service')
    .option('--json', 'print JSON')
    .action(
      async (opts: { since: string; until?: string; env?: string; service?: string; json?: boolean }, cmd: Command) => {
        // Checked here first so a refusal names the flags typed; the coordinator checks again, naming its fields.
        parsePeriod({ since: opts.since, ...(opts.until ? { until: opts.until } : {}) }, Date.now(), 'flags');
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const query = new URLSearchParams({ since: opts.since });
        if (opts.until) query.set('until', opts.until);
        if (opts.env) query.set('environment', opts.env);
        if (opts.service) query.set('service', opts.service);
        const view = await ctx.client.call<KpisView>(
          'GET',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/kpis?${query}`,
        );
        if (opts.json) return printJson(view);
        process.stdout.write(renderKpis(view));
      },
    );
}
