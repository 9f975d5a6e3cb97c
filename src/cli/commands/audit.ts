import { once } from 'node:events';
import type { Command } from 'commander';
import { looksLikeDate, parseAuditTime } from '../../access/audit/dates.js';
import { coordinatorClient, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { green, printJson, red } from '../output.js';

/** What GET /api/v1/audit/verify answers. */
interface Verification {
  ok: boolean;
  rows: number;
  firstBad: { seq: number; reason: 'changed' | 'inserted' | 'deleted'; detail: string } | null;
  head: { seq: number; hash: string } | null;
}

/** A flag's date as the unambiguous ISO time sent to the coordinator; exit 2 naming the flag otherwise. */
function timeFlag(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const at = parseAuditTime(text);
  if (!at)
    throw new CliError(
      'invalid_input',
      `${flag} "${text}" is not a date: use 2026-10-01 (midnight UTC) or 2026-10-01T08:00:00+02:00`,
    );
  return at.toISOString();
}

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('The hash-chained audit log of every change and denied attempt (needs an admin token)');

  audit
    .command('verify')
    .description('Check the hash chain; exit 1 naming the first changed, inserted or deleted row')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const result = await client.call<Verification>('GET', '/api/v1/audit/verify');
      if (opts.json) printJson(result);
      if (!result.ok) {
        if (!opts.json)
          process.stderr.write(`${red('audit log is broken:')} ${result.firstBad?.detail ?? 'unknown defect'}\n`);
        process.exitCode = 1;
        return;
      }
      if (!opts.json) {
        const head = result.head
          ? `; last row ${result.head.seq}, hash ${result.head.hash} (note it: rows deleted from the end show as a ` +
            `different head)`
          : '';
        process.stdout.write(`${green('audit log intact:')} ${result.rows} rows${head}\n`);
      }
    });

  audit
    .command('export')
    .description('Print audit entries as JSON lines, oldest first (all of them unless --since says from when)')
    .option(
      '--since <when>',
      'a duration back from now (30d, 12h, as slipway kpis takes it) or a day (UTC) or time, e.g. 2026-10-01; ' +
        'default: the whole log',
    )
    .option('--until <date>', 'up to (not including) this day or time')
    .action(async (opts: { since?: string; until?: string }, cmd: Command) => {
      const query = new URLSearchParams();
      // A date is checked here, naming the flag; a duration goes as written (the coordinator reads it as kpis does).
      if (opts.since !== undefined)
        query.set('since', looksLikeDate(opts.since) ? timeFlag('--since', opts.since)! : opts.since);
      const until = timeFlag('--until', opts.until);
      if (until) query.set('until', until);
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const body = await client.stream(`/api/v1/audit?${query}`, 'application/x-ndjson');
      for await (const chunk of body) {
        if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
      }
    });
}
