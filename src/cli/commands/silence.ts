import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { ago, printJson, table } from '../output.js';

interface SilenceView {
  id: string;
  environment: string;
  matchers: string[];
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  state: string;
  expiredBy: string | null;
}

/** `slipway silence add|list|expire`: mute alerts by label matchers for a while, as Alertmanager's amtool does. */
export function registerSilence(program: Command): void {
  const silence = program.command('silence').description('Mute alerts by label matchers until the silence ends');

  silence
    .command('add')
    .description('Silence the alerts all matchers accept (label=value, label!=value, label=~regex, label!~regex)')
    .argument('<matchers...>', 'e.g. alertname=error-rate service=api')
    .requiredOption('-e, --env <environment>', 'the environment whose alerts it mutes')
    .requiredOption('--for <duration>', 'how long: 30m, 2h, 1d (at most 90d)')
    .requiredOption('--comment <text>', 'why, for whoever sees the alert muted')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  slipway silence add alertname=disk-usage service=api -e production --for 2h ' +
        '--comment "resizing"\n',
    )
    .action(
      async (matchers: string[], opts: { env: string; for: string; comment: string; json?: boolean }, cmd: Command) => {
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const { silence: s } = await ctx.client.call<{ silence: SilenceView }>(
          'POST',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/environments/${encodeURIComponent(opts.env)}/silences`,
          { matchers, for: opts.for, comment: opts.comment },
        );
        if (opts.json) return printJson({ silence: s });
        process.stdout.write(`silence ${s.id} mutes ${s.matchers.join(' ')} in ${s.environment} until ${s.endsAt}\n`);
      },
    );

  silence
    .command('list')
    .description('Active silences (with --all, ended ones too)')
    .option('-e, --env <environment>', 'only this environment')
    .option('--all', 'also silences that ended')
    .option('--json', 'print JSON')
    .action(async (opts: { env?: string; all?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = new URLSearchParams({ all: opts.all ? 'true' : 'false' });
      if (opts.env) query.set('environment', opts.env);
      const { silences } = await ctx.client.call<{ silences: SilenceView[] }>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/silences?${query}`,
      );
      if (opts.json) return printJson({ silences });
      if (silences.length === 0) return void process.stdout.write('no silences\n');
      const rows = silences.map((s) => [
        s.id,
        s.environment,
        s.matchers.join(' '),
        s.state === 'active' ? `ends ${s.endsAt}` : `ended${s.expiredBy ? ` (by ${s.expiredBy})` : ''}`,
        `${s.createdBy} ${ago(s.startsAt)}`,
        s.comment,
      ]);
      process.stdout.write(`${table(['ID', 'ENV', 'MATCHERS', 'STATE', 'CREATED', 'COMMENT'], rows)}\n`);
    });

  silence
    .command('expire')
    .description('End a silence now')
    .argument('<id>', 'the silence id (slipway silence list)')
    .requiredOption('-e, --env <environment>', 'its environment')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { env: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const { silence: s } = await ctx.client.call<{ silence: SilenceView }>(
        'POST',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/environments/${encodeURIComponent(opts.env)}/silences/` +
          `${encodeURIComponent(id)}/expire`,
        {},
      );
      if (opts.json) return printJson({ silence: s });
      process.stdout.write(`silence ${s.id} ended\n`);
    });
}
