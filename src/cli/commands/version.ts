import type { Command } from 'commander';
import { slipwayVersion } from '../../app/version.js';
import { redactUrl } from '../coordinator-url.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { dim, printJson } from '../output.js';

/** `slipway version`: this CLI's version, and the coordinator's when one answers (as kubectl version does). */
export function registerVersion(program: Command): void {
  program
    .command('version')
    .description("Print the CLI's version, and the coordinator's when it answers")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      let coordinator: { url: string; version?: string; error?: string } | undefined;
      try {
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        try {
          const health = await ctx.client.call<{ version?: string }>('GET', '/healthz');
          coordinator = { url: redactUrl(ctx.client.baseUrl), ...(health.version ? { version: health.version } : {}) };
        } catch (e) {
          coordinator = { url: redactUrl(ctx.client.baseUrl), error: (e as Error).message };
        }
      } catch {
        // No slipway.yaml and no SLIPWAY_URL: there is no coordinator to ask.
      }
      if (opts.json) return printJson({ cli: slipwayVersion, coordinator: coordinator ?? null });
      process.stdout.write(`slipway ${slipwayVersion}\n`);
      if (coordinator?.version)
        process.stdout.write(`coordinator ${coordinator.version} ${dim(`at ${coordinator.url}`)}\n`);
      else if (coordinator)
        process.stdout.write(dim(`coordinator at ${coordinator.url}: ${coordinator.error ?? 'no version given'}\n`));
    });
}
