import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import { namingFlags } from './flag-names.js';
import { printJson, yellow } from './output.js';

/** POST scheduled-deployments as the CLI receives it. */
interface ScheduledView {
  id: string;
  service: string;
  environment: string;
  version: string;
  at: string;
  notifyBeforeMs: number;
}

/** `slipway deploy … --at TIME`: schedule it instead of starting it now. */
export async function scheduleFromCli(
  ctx: CommandContext,
  service: string,
  opts: { env: string; version: string; at: string; notifyBefore?: string; strategy?: string; json?: boolean },
  emergency: { reason: string } | undefined,
): Promise<void> {
  checkAt(opts.at);
  const { scheduled, warnings = [] } = await ctx.client
    .call<{ scheduled: ScheduledView; warnings?: string[] }>(
      'POST',
      `/api/v1/projects/${encodeURIComponent(ctx.project)}/scheduled-deployments`,
      {
        service,
        environment: opts.env,
        version: opts.version,
        at: opts.at,
        ...(opts.notifyBefore ? { notifyBefore: opts.notifyBefore } : {}),
        ...(opts.strategy ? { strategy: opts.strategy } : {}),
        ...(emergency ? { emergency } : {}),
      },
    )
    .catch((e: unknown) => {
      // The API names its body fields; the user typed flags.
      throw namingFlags(e, {
        at: '--at',
        notifyBefore: `--notify-before ${opts.notifyBefore ?? ''}`.trim(),
        environment: '--env',
        version: '--version',
        strategy: '--strategy',
        'emergency.reason': '--reason',
      });
    });
  // On stderr, so --json stays one document; the schedule is stored all the same.
  for (const w of warnings) process.stderr.write(`${yellow('warning:')} ${w}\n`);
  if (opts.json) return printJson({ scheduled, ...(warnings.length > 0 ? { warnings } : {}) });
  const notice = new Date(Math.max(Date.parse(scheduled.at) - scheduled.notifyBeforeMs, Date.now())).toISOString();
  process.stdout.write(
    `scheduled ${scheduled.id}: ${service} ${scheduled.version} to ${scheduled.environment} at ${scheduled.at}\n` +
      `maintenance notice at ${notice}; see pending ones with: slipway scheduled\n`,
  );
}

/**
 * --at: `next-window`, or an ISO time with its time zone. Without one (2026-12-08T10:00:00) it would be this
 * machine's local time to one reader and UTC to another, and the API refuses it as `body.at: Invalid ISO datetime`.
 */
export function checkAt(at: string): void {
  if (at === 'next-window') return;
  if (Number.isNaN(Date.parse(at)) || !/^\d{4}-\d{2}-\d{2}T/.test(at))
    throw new CliError(
      'invalid_input',
      `--at ${at}: expected an ISO time such as 2026-12-05T22:00:00Z, or next-window`,
    );
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(at))
    throw new CliError(
      'invalid_input',
      `--at ${at}: add a time zone, such as Z (UTC) or +01:00: ${at}Z, or next-window`,
    );
}
