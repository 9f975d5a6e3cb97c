import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { type NotificationsView, renderNotifications } from '../render-notifications.js';
import { limitOption } from '../limit-option.js';
import { registerNotificationsRetry } from './notifications-retry.js';

export function registerNotifications(program: Command): void {
  const notifications = program
    .command('notifications')
    .description('Notifications sent, waiting for a retry or failed (newest first), with the last error of each')
    .option('--failed', 'only deliveries that failed for good (4xx answers, retries used up)')
    .option('-e, --env <environment>', 'only this environment')
    .option('-n, --limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: { failed?: boolean; env?: string; limit: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = new URLSearchParams({ limit: String(limitOption(opts.limit, 500)) });
      if (opts.failed) query.set('state', 'failed');
      if (opts.env) query.set('environment', opts.env);
      const view = await ctx.client.call<NotificationsView>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/notifications?${query}`,
      );
      if (opts.json) return printJson(view);
      process.stdout.write(
        renderNotifications(view, { failedOnly: Boolean(opts.failed), ...(opts.env ? { environment: opts.env } : {}) }),
      );
    });
  registerNotificationsRetry(notifications);
}
