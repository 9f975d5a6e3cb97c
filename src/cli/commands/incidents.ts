import type { Command } from 'commander';
import { isSeverity, severities } from '../../model/incident.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { checkIncidentText, checkIncidentTitle } from '../incident-input.js';
import { printJson } from '../output.js';
import { writeOutputFile } from '../output-file.js';
import {
  type IncidentView,
  renderIncident,
  renderIncidentChange,
  renderIncidentList,
  renderIncidentOpened,
  renderResolutionAdded,
  type TimelineEntryView,
} from '../render-incidents.js';
import { limitOption } from '../limit-option.js';

type Shown = { incident: IncidentView; timeline: TimelineEntryView[] };
const path = (id: string, rest = '') => `/api/v1/incidents/${encodeURIComponent(id)}${rest}`;

/** `slipway incidents` and `slipway incident show | open | ack | resolve | note | postmortem`. */
export function registerIncidents(program: Command): void {
  program
    .command('incidents')
    .description('Incidents, newest first: opened by automatic rollbacks, failed deployments, critical alerts or hand')
    .option('-e, --env <environment>', 'only this environment')
    .option('--service <service>', 'only this service')
    .option('--open', 'only those not resolved yet')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(
      async (opts: { env?: string; service?: string; open?: boolean; limit: string; json?: boolean }, cmd: Command) => {
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const query = new URLSearchParams({ limit: String(limitOption(opts.limit, 500)) });
        if (opts.env) query.set('environment', opts.env);
        if (opts.service) query.set('service', opts.service);
        if (opts.open) query.set('state', 'open');
        const { incidents } = await ctx.client.call<{ incidents: IncidentView[] }>(
          'GET',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/incidents?${query}`,
        );
        if (opts.json) return printJson({ incidents });
        process.stdout.write(renderIncidentList(incidents));
      },
    );

  const incident = program.command('incident').description('Show, open, acknowledge, resolve or annotate an incident');

  incident
    .command('show')
    .description('An incident with its timeline (deployment steps, verdicts and figures, alerts, notifications, notes)')
    .argument('<id>', 'incident id (from `slipway incidents`)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const view = await ctx.client.call<Shown>('GET', path(id));
      if (opts.json) return printJson(view);
      process.stdout.write(renderIncident(view));
    });

  incident
    .command('open')
    .description('Open an incident by hand; it starts triggered and you own it')
    .argument('<title>', 'what is wrong, in one line')
    .requiredOption('-e, --env <environment>', 'the environment affected')
    .option('--severity <sev>', `${severities.join(' | ')} (sev1 is the worst)`, 'sev3')
    .option('--service <service>', 'the service affected')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  slipway incident open --env production --severity sev2 "quotes time out"\n')
    .action(
      async (
        title: string,
        opts: { env: string; severity: string; service?: string; json?: boolean },
        cmd: Command,
      ) => {
        checkIncidentTitle(title);
        if (!isSeverity(opts.severity))
          throw new CliError(
            'invalid_input',
            `--severity ${opts.severity} is not a severity: use one of ${severities.join(', ')}`,
          );
        const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
        const { incident: opened } = await ctx.client.call<{ incident: IncidentView }>(
          'POST',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/incidents`,
          { environment: opts.env, title, severity: opts.severity, ...(opts.service ? { service: opts.service } : {}) },
        );
        if (opts.json) return printJson({ incident: opened });
        process.stdout.write(`opened ${renderIncidentOpened(opened)}`);
      },
    );

  incident
    .command('ack')
    .description('Acknowledge a triggered incident: you (or --owner) own it')
    .argument('<id>', 'incident id')
    .option('--owner <name>', 'who owns it (default: you)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { owner?: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const { incident: acked } = await ctx.client.call<{ incident: IncidentView }>(
        'POST',
        path(id, '/acknowledge'),
        opts.owner ? { owner: opts.owner } : {},
      );
      if (opts.json) return printJson({ incident: acked });
      process.stdout.write(renderIncidentChange(acked));
    });

  incident
    .command('resolve')
    .description(
      'Resolve an incident (refused, exit 5, when it is already resolved — unless --resolution adds the one it lacks)',
    )
    .argument('<id>', 'incident id')
    .option('--resolution <text>', 'what fixed it (kept on the incident and in the postmortem)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { resolution?: string; json?: boolean }, cmd: Command) => {
      if (opts.resolution) checkIncidentText(opts.resolution, '--resolution', 1000);
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const { incident: resolved, resolutionAdded } = await ctx.client.call<{
        incident: IncidentView;
        resolutionAdded?: boolean;
      }>('POST', path(id, '/resolve'), opts.resolution ? { resolution: opts.resolution } : {});
      // Said on stderr, so --json stays one document: the resolution can still be added, and the postmortem wants it.
      if (!resolved.resolution)
        process.stderr.write(
          `hint: no resolution recorded; add what fixed it with: slipway incident resolve ${id} --resolution "…"\n`,
        );
      if (opts.json) return printJson({ incident: resolved, ...(resolutionAdded ? { resolutionAdded } : {}) });
      process.stdout.write(resolutionAdded ? renderResolutionAdded(resolved) : renderIncidentChange(resolved));
    });

  incident
    .command('note')
    .description("Add a note to an incident's timeline")
    .argument('<id>', 'incident id')
    .argument('<text>', 'the note')
    .option('--json', 'print JSON')
    .action(async (id: string, text: string, opts: { json?: boolean }, cmd: Command) => {
      if (!text.trim())
        throw new CliError('invalid_input', 'the note is empty: slipway incident note ID "what you saw"');
      checkIncidentText(text, 'the note', 2000);
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const view = await ctx.client.call<Shown>('POST', path(id, '/notes'), { text });
      if (opts.json) return printJson(view);
      process.stdout.write(`noted on ${view.incident.id} (${view.timeline.length} timeline entries)\n`);
    });

  incident
    .command('postmortem')
    .description('A Markdown postmortem draft: summary, impact window, trigger and commits, figures, timeline')
    .argument('<id>', 'incident id')
    .option('-o, --output <file>', 'write it to this file (default: print it)')
    .option('--json', 'print JSON: {incident, markdown} (and file with -o)')
    .action(async (id: string, opts: { output?: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const { markdown } = await ctx.client.call<{ markdown: string }>('GET', path(id, '/postmortem'));
      if (opts.output) writeOutputFile(opts.output, markdown);
      if (opts.json) return printJson({ incident: id, markdown, ...(opts.output ? { file: opts.output } : {}) });
      process.stdout.write(opts.output ? `wrote ${opts.output}\n` : markdown);
    });
}
