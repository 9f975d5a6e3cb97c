import type { Command } from 'commander';
import { formatDuration } from '../../shared/duration.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { DeploymentView } from '../follow.js';
import { ago, dim, painted, printJson, table } from '../output.js';
import { limitOption } from '../limit-option.js';
import { stateWord } from '../state-word.js';

/**
 * Why it went as it did: an emergency says so first (it went through a freeze); a restart that it changed nothing
 * (`slipway up` after `down`: the delivery figures leave it out); then the first line of a failure.
 */
function reasonText(d: DeploymentView): string {
  const why = [
    d.emergency ? `EMERGENCY: ${d.emergency.reason}` : '',
    d.restart ? 'restart after slipway down' : '',
    (d.reason ?? '').split('\n')[0]!,
  ];
  const text = why.filter(Boolean).join('; ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** `slipway history`: one row per deployment, newest first as the API lists them. */
export function renderHistory(deployments: DeploymentView[]): string {
  const rows = deployments.map((d) => [
    d.id,
    d.service,
    d.environment,
    `${d.from?.version ?? '-'} → ${d.to.version}`,
    d.strategy,
    painted(stateWord(d.state)),
    ago(d.startedAt ?? d.createdAt),
    d.startedAt && d.finishedAt
      ? formatDuration(Date.parse(d.finishedAt) - Date.parse(d.startedAt))
      : painted(dim('-')),
    reasonText(d),
  ]);
  const headers = ['DEPLOYMENT', 'SERVICE', 'ENV', 'RELEASE', 'STRATEGY', 'STATE', 'STARTED', 'TOOK', 'REASON'];
  return `${table(headers, rows)}\n`;
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('List past deployments, newest first')
    .argument('[service]', 'only this service')
    .option('-e, --env <environment>', 'only this environment')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(
      async (service: string | undefined, opts: { env?: string; limit: string; json?: boolean }, cmd: Command) => {
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const query = new URLSearchParams({ project: ctx.project, limit: String(limitOption(opts.limit, 1000)) });
        if (service) query.set('service', service);
        if (opts.env) query.set('environment', opts.env);
        const { deployments } = await ctx.client.call<{ deployments: DeploymentView[] }>(
          'GET',
          `/api/v1/deployments?${query}`,
        );
        if (opts.json) return printJson({ deployments });
        if (deployments.length === 0) return void process.stdout.write('no deployments yet\n');
        process.stdout.write(renderHistory(deployments));
      },
    );
}
