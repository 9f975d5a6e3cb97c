import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { printJson } from '../output.js';
import { renderApprovals, renderDecision, type ApprovalStatusView } from '../render-approvals.js';

interface DecideOptions extends GlobalOptions {
  env: string;
  service?: string;
  reason?: string;
  json?: boolean;
}

/**
 * `slipway approve` / `slipway reject` / `slipway approvals`. They act on the config the
 * coordinator has (who may approve is decided there), so unlike deploy they never apply slipway.yaml.
 */
export function registerApprovals(program: Command): void {
  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(
        decision === 'approve'
          ? "Approve a release for an environment that needs approvals; your token must be on the environment's " +
              'approvers list (by name or role)'
          : 'Reject a release for an environment: it is refused there until a new version (or you approve it after ' +
              'all)',
      )
      .argument('<version>', 'the release version, as deployed to an earlier environment')
      .requiredOption('-e, --env <environment>', 'the environment the approval is for')
      .option('--service <service>', 'only this service (default: every service with a release of that version)')
      .option(
        '--reason <text>',
        decision === 'approve' ? 'why (optional; kept in the audit log)' : 'why (required; shown to whoever it stops)',
      )
      .option('--json', 'print JSON')
      .addHelpText(
        'after',
        `\nExample:\n  slipway ${decision} 1.4.2 --env ` +
          `production${decision === 'reject' ? ' --reason "breaks invoice totals"' : ''}\n`,
      )
      .action(async (version: string, opts: DecideOptions, cmd: Command) => {
        if (decision === 'reject' && !opts.reason?.trim())
          throw new CliError(
            'invalid_input',
            'slipway reject needs --reason "…": it is shown to whoever the rejection stops',
          );
        const ctx = await commandContext(cmd.optsWithGlobals<DecideOptions>());
        const result = await ctx.client.call<{ decisions: unknown[]; approvals: ApprovalStatusView[] }>(
          'POST',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/approvals`,
          {
            version,
            environment: opts.env,
            decision,
            ...(opts.service ? { service: opts.service } : {}),
            ...(opts.reason ? { reason: opts.reason } : {}),
          },
        );
        if (opts.json) return printJson(result);
        for (const s of result.approvals) process.stdout.write(`${renderDecision(decision, s)}\n`);
      });
  }

  program
    .command('approvals')
    .description('Releases waiting for approval, per environment that needs approvals')
    .option('-e, --env <environment>', 'only this environment')
    .option('--all', 'also releases already approved or rejected (not yet deployed there)')
    .option('--json', 'print JSON')
    .action(async (opts: { env?: string; all?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = new URLSearchParams({ pending: opts.all ? 'false' : 'true' });
      if (opts.env) query.set('environment', opts.env);
      const { approvals } = await ctx.client.call<{ approvals: ApprovalStatusView[] }>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/approvals?${query}`,
      );
      if (opts.json) return printJson({ approvals });
      if (approvals.length === 0)
        return void process.stdout.write(opts.all ? 'no releases need approval\n' : 'nothing waits for approval\n');
      process.stdout.write(`${renderApprovals(approvals)}\n`);
    });
}
