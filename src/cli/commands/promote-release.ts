import type { Command } from 'commander';
import { applyProject } from '../apply.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { DeploymentView } from '../follow.js';
import { printJson } from '../output.js';
import { waitAndReport } from './deploy.js';
import { levelsLine, type RolloutView } from '../render-rollout.js';
import { waitForRollout } from './release.js';

interface PromoteReleaseOptions extends GlobalOptions {
  to: string;
  service?: string;
  queue?: boolean;
  wait?: boolean;
  json?: boolean;
}

/** `slipway promote-release VERSION --to ENV`: the same release, one environment further. */
export function registerPromoteRelease(program: Command): void {
  program
    .command('promote-release')
    .description(
      "Deploy a release to the next environment; refused (with what it waits for) until the environment's promotion " +
        'rules allow it',
    )
    .argument('<version>', 'the release version, as deployed to an earlier environment')
    .requiredOption('--to <environment>', 'target environment')
    .option('--service <service>', 'only this service (default: every service with a release of that version)')
    .option('--queue', 'wait behind a running deployment instead of being refused')
    .option('-w, --wait', 'follow until done; exit non-zero unless every deployment succeeded')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  slipway promote-release 1.4.2 --to production --wait\n')
    .action(async (version: string, opts: PromoteReleaseOptions, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<PromoteReleaseOptions>(), { config: true });
      if (ctx.config) await applyProject(ctx);
      const { deployments, rollout } = await ctx.client.call<{ deployments: DeploymentView[]; rollout?: RolloutView }>(
        'POST',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/releases/${encodeURIComponent(version)}/promote`,
        { environment: opts.to, ...(opts.service ? { service: opts.service } : {}), queue: Boolean(opts.queue) },
      );
      if (rollout) {
        if (opts.wait) {
          if (!opts.json)
            process.stderr.write(`${rollout.id}: release ${version} → ${opts.to}: ${levelsLine(rollout)}\n`);
          return waitForRollout(ctx.client, rollout, Boolean(opts.json));
        }
        if (opts.json) return printJson({ rollout, deployments });
        process.stdout.write(`started ${rollout.id}: release ${version} → ${opts.to}: ${levelsLine(rollout)}\n`);
        return;
      }
      if (!opts.wait) {
        if (opts.json) return printJson({ deployments });
        for (const d of deployments)
          process.stdout.write(
            `started ${d.id}: ${d.service} ${d.from?.version ?? '(none)'} → ${d.to.version} in ${opts.to} ` +
              `(${d.strategy})\n`,
          );
        return;
      }
      for (const d of deployments) await waitAndReport(ctx.client, d, Boolean(opts.json));
    });
}
