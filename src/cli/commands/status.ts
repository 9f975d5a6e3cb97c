import type { Command } from 'commander';
import type { z } from 'zod';
import type { statusView } from '../../api/schemas.js';
import { commandContext, type GlobalOptions } from '../context.js';
import { isSlipwayError } from '../../shared/errors.js';
import { CliError } from '../errors.js';
import { renderPipeline, type ReleaseStages } from '../render-pipeline.js';
import { renderVerdict } from '../render-verdict.js';
import { renderUpcoming, type Upcoming } from '../render-upcoming.js';
import { ago, bold, cyan, dim, green, painted, printable, printJson, red, table, yellow } from '../output.js';
import { stateText, stateWord } from '../state-word.js';

type Status = z.infer<typeof statusView>;
type ServiceStatus = Status['environments'][number]['services'][number];

function trafficText(s: ServiceStatus): string {
  const total = s.traffic.reduce((n, t) => n + t.weight, 0);
  if (s.traffic.length === 0) return dim('no traffic');
  return s.traffic
    .map((t) => `${printable(t.release)} ${total === 0 ? 0 : Math.round((t.weight / total) * 100)}%`)
    .join(' / ');
}

function instancesText(s: ServiceStatus): string {
  const routed = s.instances.filter((i) => i.desired === 'running');
  const healthy = routed.filter((i) => i.state === 'healthy').length;
  const warm = s.instances.filter((i) => i.desired === 'warm').length;
  const text = `${healthy}/${routed.length} healthy`;
  return (healthy === routed.length ? green(text) : yellow(text)) + (warm > 0 ? dim(` +${warm} warm`) : '');
}

function deploymentText(s: ServiceStatus): string {
  const d = s.activeDeployment ?? s.lastDeployment;
  if (!d) return dim('never deployed');
  const where =
    d.state === 'running' || d.state === 'rolling_back'
      ? ` step ${Math.min(d.step + 1, d.steps.length)}/${d.steps.length}`
      : ` ${ago(d.finishedAt ?? d.updatedAt)}`;
  return `${stateWord(d.state)}${where} ${dim(d.id)}`;
}

/** The environment's latest release of the whole project, in one line. */
function rolloutLine(r: NonNullable<Status['environments'][number]['rollout']>): string {
  const moving = r.state === 'running' || r.state === 'rolling_back';
  const when = moving ? '' : ` ${ago(r.finishedAt)}`;
  const parts = r.components.map((c) => `${c.service} ${stateText(c.phase)}`).join(', ');
  const why = r.reason && r.state !== 'succeeded' ? `\n  ${red('reason:')} ${printable(r.reason)}` : '';
  return `release ${bold(r.version)}: ${stateWord(r.state)}${when} — ${parts} ${dim(r.id)}${why}`;
}

/** The status screen: per environment, per service. Active deployments list their steps. */
export function renderStatus(status: Status): string {
  const plane = status.dataPlane.kind === 'haproxy' ? 'haproxy' : 'proxy';
  const out: string[] = [
    `${bold(status.project)}${status.dataPlane.kind === 'haproxy' ? dim('  via haproxy') : ''}` +
      `${status.dataPlane.healthy ? '' : `  ${red(`${plane} not answering`)}`}`,
  ];
  for (const env of status.environments) {
    out.push('', `${bold(env.name)}  ${cyan(env.url)}`);
    if (env.rollout) out.push(rolloutLine(env.rollout));
    out.push(
      table(
        ['SERVICE', 'STABLE', 'TRAFFIC', 'INSTANCES', 'DEPLOYMENT'],
        env.services.map((s) => [
          s.service,
          s.stable ?? painted(dim('-')),
          painted(trafficText(s)),
          painted(instancesText(s)),
          painted(deploymentText(s)),
        ]),
      ),
    );
    for (const s of env.services) {
      const d = s.activeDeployment;
      if (d) {
        out.push(`  ${s.service}: ${d.from?.version ?? '(none)'} → ${d.to.version} (${d.strategy})`);
        for (const step of d.steps)
          out.push(
            `    ${step.status === 'done' ? green('✓') : step.status === 'running' ? yellow('▶') : dim('·')} ` +
              `${step.description}`,
          );
        // Reasons are stored text people typed (--reason): shown through printable() as table cells are.
        if (d.emergency) out.push(`    ${red('emergency:')} ${printable(d.emergency.reason)}`);
        if (d.paused) out.push(`    ${yellow('paused:')} ${printable(d.paused.reason)}`);
        if (d.reason) out.push(`    ${red('reason:')} ${printable(d.reason.split('\n')[0]!)}`);
        if (d.latestVerdict) out.push(...renderVerdict(d.latestVerdict));
      } else if (s.lastDeployment && s.lastDeployment.state !== 'succeeded' && s.lastDeployment.reason) {
        out.push(
          `  ${s.service}: last deployment ${stateWord(s.lastDeployment.state)}: ` +
            `${printable(s.lastDeployment.reason.split('\n')[0]!)}`,
        );
      }
    }
  }
  return out.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show where every service stands in every environment')
    .argument('[service]', 'only this service')
    .option('-e, --env <environment>', 'only this environment')
    .option('--json', 'print JSON')
    .action(async (service: string | undefined, opts: { env?: string; json?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<GlobalOptions>());
      const status = await ctx.client.call<Status>('GET', `/api/v1/projects/${encodeURIComponent(ctx.project)}/status`);
      if (opts.env) {
        status.environments = status.environments.filter((e) => e.name === opts.env);
        if (status.environments.length === 0)
          throw new CliError('not_found', `no environment "${opts.env}" in project ${ctx.project}`);
      }
      if (service) {
        for (const env of status.environments) env.services = env.services.filter((s) => s.service === service);
        if (status.environments.every((e) => e.services.length === 0))
          throw new CliError('not_found', `no service "${service}" in project ${ctx.project}`);
      }
      const { releases } = await ctx.client.call<{ releases: ReleaseStages[] }>(
        'GET',
        `/api/v1/projects/${encodeURIComponent(ctx.project)}/pipeline`,
      );
      const shown = releases.filter((r) => !service || r.service === service);
      // What is scheduled to come, where the token may see it (a token that may not list them sees the rest).
      const { scheduled } = await ctx.client
        .call<{ scheduled: Upcoming[] }>(
          'GET',
          `/api/v1/projects/${encodeURIComponent(ctx.project)}/scheduled-deployments`,
        )
        .catch((e: unknown) => {
          if (isSlipwayError(e) && e.code === 'forbidden') return { scheduled: [] as Upcoming[] };
          throw e;
        });
      const upcoming = scheduled.filter(
        (s) => (!service || s.service === service) && (!opts.env || s.environment === opts.env),
      );
      if (opts.json) return printJson({ ...status, releases: shown, scheduled: upcoming });
      const pipeline = opts.env ? '' : renderPipeline(shown);
      process.stdout.write(`${renderStatus(status)}${pipeline}${renderUpcoming(upcoming, Date.now())}\n`);
    });
}
