import type { Command } from 'commander';
import { commandContext, type GlobalOptions, subcommandOptions } from '../context.js';
import { ago, printJson, table } from '../output.js';
import { writeOutputFile } from '../output-file.js';

interface AlertView {
  environment: string;
  rule: string;
  severity: string;
  state: string;
  groupKey: string;
  labels: Record<string, string>;
  value: number;
  threshold: number;
  /** Missing from coordinators older than this CLI: the bare number is shown. */
  unit?: 'ms' | 'ratio' | 'days' | 'count';
  activeSince: string;
  firedAt: string | null;
  mutedBy: string | null;
}

interface ReadingView {
  name: string;
  service: string | null;
  labels: Record<string, string>;
  phase: string;
  value?: number;
  baseline?: number;
  message?: string;
  detail?: string;
  rules: string[];
}

const number = (v: number | undefined) => (v === undefined ? '-' : String(Number(v.toPrecision(4))));
/** An alert's figure in its reading's unit: "12.5 %", "0.92 days", "840 ms". */
const withUnit = (v: number, unit: AlertView['unit']) =>
  unit === 'ratio'
    ? `${number(v * 100)} %`
    : unit === 'days'
      ? `${number(v)} days`
      : unit === 'ms'
        ? `${number(v)} ms`
        : number(v);

/** `slipway alerts`: what is pending or firing, by group; the checks that could not be made; `export-rules`. */
export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Alerts pending or firing now for the live releases, grouped by service, and checks that failed')
    .option('-e, --env <environment>', 'only this environment')
    .option('--readings', 'also every reading of the last evaluation')
    .option('--history', 'the alert and silence events instead, newest first')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  slipway alerts --env production\n  slipway alerts export-rules -o slipway.rules.yml\n',
    )
    .action(async (opts: { env?: string; readings?: boolean; history?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = opts.env ? `?${new URLSearchParams({ environment: opts.env })}` : '';
      const project = encodeURIComponent(ctx.project);
      if (opts.history) {
        const { events } = await ctx.client.call<{ events: { at: string; kind: string; message: string }[] }>(
          'GET',
          `/api/v1/projects/${project}/alerts/history${query}`,
        );
        if (opts.json) return printJson({ events });
        if (events.length === 0) return void process.stdout.write('no alert or silence events\n');
        const rows = events.map((e) => [ago(e.at), e.kind, e.message]);
        return void process.stdout.write(`${table(['WHEN', 'EVENT', 'WHAT'], rows)}\n`);
      }
      const result = await ctx.client.call<{
        alerts: AlertView[];
        readings: { environment: string; at: string; readings: ReadingView[] }[];
      }>('GET', `/api/v1/projects/${project}/alerts${query}`);
      if (opts.json) return printJson(result);
      process.stdout.write(renderAlerts(result.alerts));
      for (const round of result.readings) {
        const shown = opts.readings ? round.readings : round.readings.filter((r) => r.phase === 'error');
        if (shown.length === 0) continue;
        process.stdout.write(
          `\n${opts.readings ? 'Readings' : 'Checks that failed'} in ${round.environment} (${ago(round.at)}):\n`,
        );
        const rows = shown.map((r) => [
          r.service ?? '-',
          r.name + labelText(r.labels),
          r.phase,
          r.phase === 'ok'
            ? `${number(r.value)}${r.baseline !== undefined ? ` (baseline ${number(r.baseline)})` : ''}`
            : (r.message ?? ''),
        ]);
        process.stdout.write(`${table(['SERVICE', 'READING', 'PHASE', 'VALUE'], rows)}\n`);
      }
    });

  alerts
    .command('export-rules')
    .description('Write the same alert rules as a Prometheus rules file (for a team that runs its own Prometheus)')
    .option('-e, --env <environment>', 'only this environment')
    .option('-o, --output <file>', 'write here instead of standard output')
    .action(async (_opts: { env?: string; output?: string }, cmd: Command) => {
      const opts = subcommandOptions<{ env?: string; output?: string }>(cmd);
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const query = opts.env ? `?${new URLSearchParams({ environment: opts.env })}` : '';
      const { file } = await ctx.client.call<{ file: string }>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/alerts/prometheus-rules${query}`,
      );
      if (!opts.output) return void process.stdout.write(file);
      writeOutputFile(opts.output, file);
      process.stdout.write(`wrote ${opts.output} (check it with: promtool check rules ${opts.output})\n`);
    });
}

function labelText(labels: Record<string, string>): string {
  const shown = Object.entries(labels).filter(([k]) => k !== 'service');
  return shown.length ? `{${shown.map(([k, v]) => `${k}=${v}`).join(',')}}` : '';
}

/** Alerts by group (environment/service), critical first; muted ones say why. */
export function renderAlerts(alerts: AlertView[]): string {
  if (alerts.length === 0) return 'no alerts pending or firing\n';
  const groups = new Map<string, AlertView[]>();
  for (const a of alerts) groups.set(a.groupKey, [...(groups.get(a.groupKey) ?? []), a]);
  let out = '';
  for (const [key, members] of groups) {
    out += `${key.split('/').slice(1).join('/') || key}\n`;
    const rows = members
      .sort((a, b) => a.severity.localeCompare(b.severity))
      .map((a) => [
        a.severity,
        a.rule,
        a.state === 'firing' ? `firing ${ago(a.firedAt)}` : `pending ${ago(a.activeSince)}`,
        `${withUnit(a.value, a.unit)} vs ${withUnit(a.threshold, a.unit)}`,
        a.mutedBy ?? '',
      ]);
    out += `${table(['SEVERITY', 'RULE', 'STATE', 'VALUE', 'MUTED'], rows)}\n`;
  }
  return out;
}
