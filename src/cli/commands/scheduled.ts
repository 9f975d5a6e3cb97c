import type { Command } from 'commander';
import { formatDuration } from '../../shared/duration.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { printJson, table } from '../output.js';

interface ScheduledList {
  scheduled: {
    id: string;
    service: string;
    environment: string;
    version: string;
    at: string;
    notifyBeforeMs: number;
    /** When its maintenance notice went out. */
    noticedAt?: string;
    state: string;
    deployment?: string;
    error?: string;
    cancelledBy?: string;
    cancelReason?: string;
    waiting?: { behind: string; since: string; until: string };
  }[];
}

/** What became of it: its deployment, why it failed to start, who cancelled it and why, or what it waits behind. */
function outcome(s: ScheduledList['scheduled'][number]): string {
  if (s.waiting) return `behind ${s.waiting.behind} since ${s.waiting.since}; gives up at ${s.waiting.until}`;
  if (s.state !== 'cancelled') return s.deployment ?? s.error ?? '';
  return [s.cancelledBy ? `by ${s.cancelledBy}` : '', s.cancelReason ?? ''].filter(Boolean).join(': ');
}

/** `slipway scheduled`: one row per scheduled deployment, soonest first as the API lists them. */
export function renderScheduled(list: ScheduledList['scheduled']): string {
  const rows = list.map((s) => [
    s.id,
    s.service,
    s.environment,
    s.version,
    s.at,
    // --notify-before 0: the notice goes out when the deployment starts, which "0ms" did not say.
    // Whether those subscribed to maintenance notices have been told yet.
    `${s.notifyBeforeMs > 0 ? formatDuration(s.notifyBeforeMs) : 'at its time'}${s.noticedAt ? ' (sent)' : ''}`,
    // Claimed, its deployment not created yet (a moment): said so, not a `started` with no deployment beside it.
    // Its time came while another deployment of the service ran: pending still (it can be cancelled), but waiting.
    s.state === 'started' && !s.deployment ? 'starting' : s.waiting ? 'waiting' : s.state,
    outcome(s),
  ]);
  const headers = ['ID', 'SERVICE', 'ENV', 'VERSION', 'AT', 'NOTICE BEFORE', 'STATE', 'DEPLOYMENT / ERROR / REASON'];
  return `${table(headers, rows)}\n`;
}

/** `slipway scheduled [--all]` lists them; `slipway scheduled cancel ID` calls one off. */
export function registerScheduled(program: Command): void {
  const scheduled = program
    .command('scheduled')
    .description('Deployments scheduled with `slipway deploy … --at`, soonest first (pending ones unless --all)')
    .option('-e, --env <environment>', 'only this environment')
    .option('--all', 'also the ones that started, failed or were cancelled')
    .option('--json', 'print JSON')
    .action(async (opts: { env?: string; all?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = new URLSearchParams({ all: String(Boolean(opts.all)) });
      if (opts.env) query.set('environment', opts.env);
      const view = await ctx.client.call<ScheduledList>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/scheduled-deployments?${query}`,
      );
      if (opts.json) return printJson(view);
      if (view.scheduled.length === 0) {
        process.stdout.write('no scheduled deployments (slipway deploy SERVICE --env E --version V --at TIME)\n');
        return;
      }
      process.stdout.write(renderScheduled(view.scheduled));
    });

  scheduled
    .command('cancel')
    .description('Cancel a pending scheduled deployment (refused, exit 5, once it started, failed or was cancelled)')
    .argument('<id>', 'scheduled deployment id (from `slipway scheduled`)')
    .option('--reason <text>', 'why (shown in `slipway scheduled --all`, kept in its event and the audit log)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { reason?: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const view = await ctx.client.call<{ scheduled: ScheduledList['scheduled'][number] }>(
        'POST',
        `/api/v1/scheduled-deployments/${encodeURIComponent(id)}/cancel`,
        opts.reason ? { reason: opts.reason } : {},
      );
      if (opts.json) return printJson(view);
      const s = view.scheduled;
      process.stdout.write(`cancelled ${s.id}: ${s.service} ${s.version} to ${s.environment} at ${s.at}\n`);
    });
}
