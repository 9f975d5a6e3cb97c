import type { Command } from 'commander';
import { commandContext, type GlobalOptions, subcommandOptions } from '../context.js';
import { printJson } from '../output.js';
import {
  type HealthView,
  type IssueView,
  type LatestView,
  renderHealth,
  renderIssue,
  renderIssues,
} from '../render-errors.js';
import { limitOption } from '../limit-option.js';

type Json = { json?: boolean };

/** `slipway errors`: issues from the Sentry-protocol ingest, one issue, status changes, release health. */
export function registerErrors(program: Command): void {
  const errors = program
    .command('errors')
    .description('Issues (grouped error events from the Sentry SDKs), most recently seen first')
    .option('-e, --env <environment>', 'only this environment')
    .option('-r, --release <version>', 'only issues seen in this release (with "new" when they began there)')
    .option('--status <status>', 'unresolved, resolved or ignored')
    .option('-n, --limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: Json & { env?: string; release?: string; status?: string; limit: string }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = new URLSearchParams({ limit: String(limitOption(opts.limit, 1000)) });
      if (opts.env) query.set('environment', opts.env);
      if (opts.release) query.set('release', opts.release);
      if (opts.status) query.set('status', opts.status);
      const view = await ctx.client.call<{ issues: IssueView[] }>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/errors?${query}`,
      );
      if (opts.json) return printJson(view);
      process.stdout.write(renderIssues(view.issues));
    });

  errors
    .command('show <issue>')
    .description('One issue: counts per release and environment, the latest event with its stack trace and tags')
    .option('--json', 'print JSON')
    .action(async (issue: string, _opts: Json, cmd: Command) => {
      const opts = subcommandOptions<Json>(cmd);
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const view = await ctx.client.call<{ issue: IssueView; latest: LatestView | null }>(
        'GET',
        `/api/v1/errors/${encodeURIComponent(issue)}`,
      );
      if (opts.json) return printJson(view);
      process.stdout.write(renderIssue(view.issue, view.latest));
    });

  for (const [name, status, what] of [
    ['resolve', 'resolved', 'Mark an issue resolved (seen again, it comes back as regressed)'],
    ['ignore', 'ignored', 'Ignore an issue (it stays ignored whatever happens)'],
    ['reopen', 'unresolved', 'Mark an issue unresolved again'],
  ] as const) {
    errors
      .command(`${name} <issue>`)
      .description(what)
      .option('-r, --release <version>', 'the release that fixes it (resolve)')
      .option('--json', 'print JSON')
      .action(async (issue: string, _opts: Json & { release?: string }, cmd: Command) => {
        const opts = subcommandOptions<Json & { release?: string }>(cmd);
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const result = await ctx.client.call<{ issue: string; status: string; before: string }>(
          'POST',
          `/api/v1/errors/${encodeURIComponent(issue)}/status`,
          { status, ...(opts.release ? { release: opts.release } : {}) },
        );
        if (opts.json) return printJson(result);
        process.stdout.write(`${result.issue}: ${result.before} → ${result.status}\n`);
      });
  }

  errors
    .command('health')
    .description('Release health from SDK sessions: crash-free sessions and users per release and environment')
    .option('-e, --env <environment>', 'only this environment')
    .option('-r, --release <version>', 'only this release')
    .option('--hours <n>', 'how far back', '24')
    .option('--json', 'print JSON (with the hourly series)')
    .action(async (_opts: Json & { env?: string; release?: string; hours: string }, cmd: Command) => {
      const opts = subcommandOptions<Json & { env?: string; release?: string; hours: string }>(cmd);
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = new URLSearchParams({ hours: String(Number(opts.hours) || 24) });
      if (opts.env) query.set('environment', opts.env);
      if (opts.release) query.set('release', opts.release);
      const view = await ctx.client.call<HealthView>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/release-health?${query}`,
      );
      if (opts.json) return printJson(view);
      process.stdout.write(renderHealth(view));
    });
}
