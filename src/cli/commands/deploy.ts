import { scheduleFromCli } from '../schedule-deploy.js';
import type { Command } from 'commander';
import { parseSetFlags } from '../../config/set-flags.js';
import { strategyTypes } from '../../config/strategy.js';
import { applyProject } from '../apply.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { followDeployment, type DeploymentView, type EventView } from '../follow.js';
import { printJson } from '../output.js';
import { progressPrinter, summary } from '../progress.js';
import { candidateLogLines, renderCandidateLog } from '../candidate-logs.js';
import { stateText } from '../state-word.js';

interface DeployOptions extends GlobalOptions {
  env: string;
  version: string;
  strategy?: string;
  set: string[];
  queue?: boolean;
  wait?: boolean;
  json?: boolean;
  emergency?: boolean;
  reason?: string;
  at?: string;
  notifyBefore?: string;
}

/** Wait for a deployment (printing progress unless --json); exit non-zero unless it succeeded. */
export async function waitAndReport(
  client: Parameters<typeof followDeployment>[0],
  d: DeploymentView,
  json: boolean,
): Promise<void> {
  const events: EventView[] = [];
  const print = progressPrinter(Date.parse(d.startedAt ?? d.createdAt));
  const final = await followDeployment(
    client,
    d.id,
    (e) => {
      events.push(e);
      if (!json) print(e);
    },
    (away) => {
      if (!json && away === 0) process.stderr.write('  … coordinator unreachable; reconnecting\n');
    },
  );
  if (json) printJson({ deployment: final, events });
  else {
    process.stdout.write(`${summary(final)}\n`);
    // A crash's last lines were shown with it; a rollback on figures shows the candidate's here.
    const crashShown = events.some((e) => e.kind === 'instance.crashed' && Array.isArray(e.data.logTail));
    if ((final.state === 'rolled_back' || final.state === 'failed') && final.kind === 'deploy' && !crashShown) {
      const log = renderCandidateLog(final, await candidateLogLines(client, final));
      if (log) process.stdout.write(`${log}\n`);
    }
  }
  if (final.state !== 'succeeded')
    throw new CliError('failed', `deployment ${final.id} ${stateText(final.state)}`, { silent: true });
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('Deploy a release of a service to an environment')
    .argument('<service>', 'service name from slipway.yaml')
    .requiredOption('-e, --env <environment>', 'target environment')
    .requiredOption('-v, --version <version>', 'release version, e.g. 1.4.2')
    .option('-s, --strategy <strategy>', `override the configured strategy (${strategyTypes.join(', ')})`)
    .option(
      '--set <KEY=VALUE>',
      'set an environment variable for this release (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--queue', 'wait behind a running deployment of the same service instead of being refused')
    .option('-w, --wait', 'follow progress until the deployment finishes; exit non-zero unless it succeeded')
    .option('--emergency', 'deploy through a freeze window (admins only; needs --reason; marked everywhere it appears)')
    .option('--reason <text>', 'why this is an emergency')
    .option(
      '--at <time>',
      'start it at this time instead of now: an ISO time with its zone (--at 2026-12-05T22:00:00Z) or the next ' +
        "opening of the environment's deployment windows (--at next-window); refused in a freeze or outside the " +
        'deployment windows (unless --emergency); cannot go with --wait, --queue or --set',
    )
    .option('--notify-before <duration>', 'with --at: send the maintenance notice this long before (default 1h)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  slipway deploy quote-api --env staging --version 1.4.2 --wait\n  slipway deploy quote-api ' +
        '--env production --version 1.4.3 --emergency --reason "CVE-2026-1234 hotfix"\n  slipway deploy quote-api ' +
        '--env production --version 1.4.3 --at next-window --notify-before 2h\n',
    )
    .action(async (service: string, opts: DeployOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<DeployOptions>();
      if (opts.strategy && !strategyTypes.includes(opts.strategy as never)) {
        throw new CliError('invalid_input', `--strategy ${opts.strategy}: expected one of ${strategyTypes.join(', ')}`);
      }
      if (opts.emergency && !opts.reason)
        throw new CliError(
          'invalid_input',
          '--emergency needs --reason "…": it is shown wherever this deployment appears',
        );
      if (opts.reason && !opts.emergency) throw new CliError('invalid_input', '--reason goes with --emergency');
      if (opts.notifyBefore && !opts.at) throw new CliError('invalid_input', '--notify-before goes with --at');
      if (opts.at && (opts.wait || opts.queue || opts.set.length > 0))
        throw new CliError('invalid_input', '--at cannot go with --wait, --queue or --set');
      const sets = parseSetFlags(opts.set);
      const ctx = await commandContext(global, { config: true });
      if (ctx.config) await applyProject(ctx);
      if (opts.at)
        return scheduleFromCli(
          ctx,
          service,
          { ...opts, at: opts.at },
          opts.emergency ? { reason: opts.reason! } : undefined,
        );
      const { deployment } = await ctx.client.call<{ deployment: DeploymentView }>(
        'POST',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/deployments`,
        {
          service,
          environment: opts.env,
          version: opts.version,
          ...(opts.strategy ? { strategy: opts.strategy } : {}),
          ...(Object.keys(sets).length > 0 ? { set: sets } : {}),
          queue: Boolean(opts.queue),
          ...(opts.emergency ? { emergency: { reason: opts.reason } } : {}),
        },
      );
      if (!opts.wait) {
        if (opts.json) return printJson({ deployment });
        process.stdout.write(
          `${deployment.state === 'queued' ? 'queued' : 'started'} ${deployment.id}: ${service} ` +
            `${deployment.from?.version ?? '(none)'} → ${deployment.to.version} in ${opts.env} ` +
            `(${deployment.strategy})\n` +
            `follow it with: slipway status ${service} --env ${opts.env}\n`,
        );
        return;
      }
      if (!opts.json)
        process.stderr.write(
          `${deployment.id}: ${service} ${deployment.from?.version ?? '(none)'} → ${deployment.to.version} in ` +
            `${opts.env} (${deployment.strategy}, ${deployment.steps.length} steps)\n`,
        );
      await waitAndReport(ctx.client, deployment, Boolean(opts.json));
    });
}
