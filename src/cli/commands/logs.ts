import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { logRecord, splitLines } from '../log-lines.js';

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("Print a service's logs: every instance's merged by time, each line prefixed, or one instance's")
    .argument('<service>', 'service name')
    .option('-e, --env <environment>', 'only this environment (default: every environment, lines prefixed with it)')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --tail <lines>', 'lines of history per instance', '100')
    .option('-i, --instance <id>', 'only this instance')
    .option('-t, --timestamps', 'start each line with when it was written')
    .option('--json', 'one JSON object per line: {"at","instance","release","environment","line"}')
    .action(
      async (
        service: string,
        opts: { env?: string; follow?: boolean; tail: string; instance?: string; timestamps?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const tail = Number(opts.tail);
        if (!Number.isInteger(tail) || tail < 0)
          throw new CliError('invalid_input', `--tail ${opts.tail}: expected a whole number of lines`);
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const query = new URLSearchParams({
          tail: String(tail),
          follow: String(Boolean(opts.follow)),
          timestamps: String(Boolean(opts.timestamps || opts.json)),
        });
        const environment = opts.env ? `&environment=${encodeURIComponent(opts.env)}` : '';
        const path = opts.instance
          ? `/api/v1/instances/${encodeURIComponent(opts.instance)}/logs?${query}`
          : `/api/v1/projects/${encodeURIComponent(ctx.project)}/logs?${query}` +
            `&service=${encodeURIComponent(service)}${environment}`;
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        try {
          const body = await ctx.client.stream(path, 'text/plain', controller.signal);
          if (!opts.json) {
            for await (const chunk of body) process.stdout.write(chunk);
            return;
          }
          for await (const line of splitLines(body)) process.stdout.write(`${JSON.stringify(logRecord(line, opts))}\n`);
        } catch (e) {
          if (!controller.signal.aborted) throw e;
        }
      },
    );
}
