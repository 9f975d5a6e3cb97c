import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

export function registerReleaseNotes(program: Command): void {
  program
    .command('release-notes')
    .description('Release notes of a service version (its commits since the stable release it replaced), as Markdown')
    .argument('<service>')
    .argument('<version>')
    .option('--json', 'print JSON (with the groups)')
    .action(async (service: string, version: string, opts: { json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const view = await ctx.client.call<{ markdown: string }>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/release-notes/${encodeURIComponent(service)}/` +
          encodeURIComponent(version),
      );
      if (opts.json) return printJson(view);
      process.stdout.write(view.markdown);
    });
}
