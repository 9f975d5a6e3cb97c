import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

interface DsnView {
  dsn: string;
  environment: string;
  projectId: number;
}

/** `slipway dsn --env E`: the Sentry DSN SDKs report to (instances get it as SENTRY_DSN). */
export function registerDsn(program: Command): void {
  program
    .command('dsn')
    .description("Print the environment's Sentry DSN (the official SDKs report errors and sessions to it)")
    .requiredOption('-e, --env <environment>', 'the environment')
    .option('--rotate', 'revoke the current key and make a new one (admin; SDKs with the old DSN get 403)')
    .option('--json', 'print JSON')
    .action(async (opts: { env: string; rotate?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const base = `/api/v1/projects/${encodeURIComponent(ctx.project)}/dsn`;
      const view = opts.rotate
        ? await ctx.client.call<DsnView>('POST', `${base}/rotate`, { environment: opts.env })
        : await ctx.client.call<DsnView>('GET', `${base}?${new URLSearchParams({ environment: opts.env })}`);
      if (opts.json) return printJson(view);
      process.stdout.write(`${view.dsn}\n`);
    });
}
