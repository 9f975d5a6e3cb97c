import type { Command } from 'commander';
import { applyProject } from '../apply.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { followRollout } from '../follow-rollout.js';
import type { ApiClient } from '../client.js';
import { printJson } from '../output.js';
import { componentLine, levelsLine, rolloutSummary, type RolloutView } from '../render-rollout.js';
import { stateText } from '../state-word.js';

interface ReleaseOptions extends GlobalOptions {
  env: string;
  only?: string;
  wait?: boolean;
  json?: boolean;
  emergency?: boolean;
  reason?: string;
}

/** Follow a rollout to its end (progress on stderr unless --json); exit non-zero unless it succeeded. */
export async function waitForRollout(
  client: ApiClient,
  r: RolloutView,
  json: boolean,
  options: { rollingBack?: boolean } = {},
): Promise<void> {
  const startedAt = Date.parse(r.createdAt);
  let first = true;
  const final = await followRollout(client, r, (_now, changed) => {
    // Following a rollback: where the components stood before it is not news.
    const skip = first && options.rollingBack;
    first = false;
    if (json || skip) return;
    // A failure first: the reverts it causes are listed after it.
    changed.sort((a, b) => Number(b.phase === 'failed') - Number(a.phase === 'failed'));
    for (const c of changed)
      if (c.phase !== 'pending' && c.phase !== 'unchanged') process.stderr.write(`${componentLine(c, startedAt)}\n`);
  });
  if (json) printJson({ rollout: final });
  else process.stdout.write(`${rolloutSummary(final, options)}\n`);
  if (final.state !== 'succeeded')
    throw new CliError('failed', `release ${final.version} ${stateText(final.state)}`, { silent: true });
}

export function registerRelease(program: Command): void {
  program
    .command('release')
    .description(
      'Release every service of the project at one version to an environment, in dependency order, as one thing: ' +
        'if any part fails or is rolled back, the parts that moved go back too',
    )
    .argument('<version>', 'release version, e.g. 1.5.0')
    .requiredOption('-e, --env <environment>', 'target environment')
    .option('--only <services>', 'only these services, comma-separated (default: every service)')
    .option('-w, --wait', 'follow until every component is live or back; exit non-zero unless the release succeeded')
    .option('--emergency', 'release through a freeze window (admins only; needs --reason; marked everywhere)')
    .option('--reason <text>', 'why this is an emergency')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nThe order comes from dependsOn in slipway.yaml (default: the database service, whose release carries the ' +
        'migrations, first; then the other services).\n\nExample:\n  slipway release 1.5.0 --env staging --wait\n',
    )
    .action(async (version: string, opts: ReleaseOptions, cmd: Command) => {
      if (opts.emergency && !opts.reason)
        throw new CliError(
          'invalid_input',
          '--emergency needs --reason "…": it is shown wherever this release appears',
        );
      if (opts.reason && !opts.emergency) throw new CliError('invalid_input', '--reason goes with --emergency');
      const services = opts.only
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (opts.only !== undefined && services!.length === 0)
        throw new CliError('invalid_input', '--only: expected service names separated by commas');
      const ctx = await commandContext(cmd.optsWithGlobals<ReleaseOptions>(), { config: true });
      if (ctx.config) await applyProject(ctx);
      const { rollout } = await ctx.client.call<{ rollout: RolloutView }>(
        'POST',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/rollouts`,
        {
          environment: opts.env,
          version,
          ...(services ? { services } : {}),
          ...(opts.emergency ? { emergency: { reason: opts.reason } } : {}),
        },
      );
      if (!opts.wait) {
        if (opts.json) return printJson({ rollout });
        process.stdout.write(
          `started ${rollout.id}: release ${version} → ${opts.env}: ${levelsLine(rollout)}\n` +
            `follow it with: slipway status --env ${opts.env}\n`,
        );
        return;
      }
      if (!opts.json) process.stderr.write(`${rollout.id}: release ${version} → ${opts.env}: ${levelsLine(rollout)}\n`);
      await waitForRollout(ctx.client, rollout, Boolean(opts.json));
    });
}
