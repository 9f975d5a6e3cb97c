import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

/** POST /api/v1/notifications/:id/retry as the CLI receives it. */
interface RetriedView {
  notification: { id: number; target: string; type: string; state: string; attempts: number; maxAttempts?: number };
}

/** `slipway notifications retry ID`: send a failed delivery again once its cause is fixed. */
export function registerNotificationsRetry(notifications: Command): void {
  notifications
    .command('retry')
    .description(
      'Send a delivery that failed for good again, after fixing its cause (a secret, a URL): pending, due now, with ' +
        'the whole retry budget (refused, exit 5, unless it failed)',
    )
    .argument('<id>', 'delivery id (from `slipway notifications --failed`)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const view = await ctx.client.call<RetriedView>(
        'POST',
        `/api/v1/notifications/${encodeURIComponent(id)}/retry`,
        {},
      );
      if (opts.json) return printJson(view);
      const n = view.notification;
      const budget = n.maxAttempts === undefined ? '' : ` (up to ${n.maxAttempts} attempts)`;
      process.stdout.write(`#${n.id} to ${n.target} (${n.type}) will be sent again now${budget}\n`);
    });
}
