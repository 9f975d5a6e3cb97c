import type { Command } from 'commander';
import { commandContext, type GlobalOptions } from '../context.js';
import type { DeploymentView } from '../follow.js';
import { printJson } from '../output.js';
import { steeringPath } from '../resolve-deployment.js';

/** promote / pause / resume / abort: the verbs that steer a deployment in flight. */
const verbs = [
  {
    name: 'abort',
    description: 'Abort a deployment in flight: traffic returns to the stable release and the candidate is stopped',
    done: (d: DeploymentView) =>
      d.state === 'cancelled'
        ? `cancelled queued deployment ${d.id}`
        : `aborting ${d.id}: rolling back to ${d.from?.version ?? 'nothing'}`,
  },
  {
    name: 'promote',
    description: 'Canary: skip the remaining steps and shift all traffic to the candidate now',
    done: (d: DeploymentView) => `promoting ${d.id}: ${d.to.version} takes all traffic`,
  },
  {
    name: 'pause',
    description: 'Hold a deployment at its current step (a canary is still judged, and rolled back if it fails)',
    done: (d: DeploymentView) => `paused ${d.id} at step ${d.step + 1}/${d.steps.length}`,
  },
  {
    name: 'resume',
    description: 'Continue a paused deployment (also ends a `pause: {}` canary step)',
    done: (d: DeploymentView) => `resumed ${d.id}`,
  },
] as const;

export function registerAbort(program: Command): void {
  for (const verb of verbs) {
    const cmd = program
      .command(verb.name)
      .description(verb.description)
      .argument(
        '<deployment|service>',
        'a deployment id (dep_…), or a service with --env (the deployment in flight there)',
      )
      .option('-e, --env <environment>', 'environment, when naming a service')
      .option('--json', 'print JSON');
    if (verb.name === 'abort') cmd.option('-r, --reason <text>', 'why, for the record');
    cmd.action(async (target: string, opts: { env?: string; reason?: string; json?: boolean }, command: Command) => {
      const ctx = await commandContext(command.optsWithGlobals<GlobalOptions>());
      const body = verb.name === 'abort' && opts.reason ? { reason: opts.reason } : {};
      const { deployment } = await ctx.client.call<{ deployment: DeploymentView }>(
        'POST',
        steeringPath(ctx, target, opts.env, verb.name),
        body,
      );
      if (opts.json) return printJson({ deployment });
      process.stdout.write(`${verb.done(deployment)}\n`);
    });
  }
}
