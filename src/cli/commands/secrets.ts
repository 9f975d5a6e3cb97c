import type { Command } from 'commander';
import { applyProject } from '../apply.js';
import { commandContext, coordinatorClient, type GlobalOptions } from '../context.js';
import { ago, printJson, table } from '../output.js';
import { readSecretValue } from '../secret-input.js';

/** A secret as the API lists it (never its value). */
interface SecretView {
  name: string;
  version: number;
  updatedAt: string;
  updatedBy: string | null;
}

interface ScopeOptions extends GlobalOptions {
  env: string;
  json?: boolean;
}

const path = (project: string, env: string, rest = '') =>
  `/api/v1/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/secrets${rest}`;
const named = (name: string) => `/${encodeURIComponent(name)}`;

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description(
      "Per-environment secrets, encrypted at rest and given to the environment's instances as environment variables " +
        'when they start',
    )
    .addHelpText(
      'after',
      '\nA changed secret reaches instances started afterwards (the next deployment, or a restart).\n',
    );

  secrets
    .command('set')
    .description(
      'Set a secret (a new version); the value comes from stdin or --from-file, never from an argument (the process ' +
        'list shows those)',
    )
    .argument('<name>', 'the variable name instances see, e.g. DATABASE_PASSWORD')
    .requiredOption('--env <environment>', 'environment')
    .option('--from-file <path>', 'read the value from this file (exactly, including a trailing newline)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  slipway secrets set STRIPE_KEY --env production < stripe.key\n  slipway secrets set TLS_KEY ' +
        '--env production --from-file key.pem\n',
    )
    .action(async (name: string, opts: ScopeOptions & { fromFile?: string }, cmd: Command) => {
      const value = await readSecretValue(name, opts.fromFile);
      const ctx = await commandContext(cmd.optsWithGlobals<ScopeOptions>(), { config: true });
      if (ctx.config) await applyProject(ctx);
      const set = await ctx.client.call<{ name: string; version: number }>(
        'PUT',
        path(ctx.project, opts.env, named(name)),
        { value },
      );
      if (opts.json) return printJson(set);
      process.stdout.write(
        `set ${set.name} in ${opts.env} (version ${set.version}); instances get it when they next start\n`,
      );
    });

  secrets
    .command('list')
    .description("An environment's secrets: names, versions, when and by whom (never values)")
    .requiredOption('--env <environment>', 'environment')
    .option('--json', 'print JSON')
    .action(async (opts: ScopeOptions, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<ScopeOptions>());
      const { secrets: list } = await ctx.client.call<{ secrets: SecretView[] }>('GET', path(ctx.project, opts.env));
      if (opts.json) return printJson({ secrets: list });
      if (list.length === 0) return void process.stdout.write(`no secrets in ${opts.env}\n`);
      process.stdout.write(
        `${table(
          ['NAME', 'VERSION', 'UPDATED', 'BY'],
          list.map((s) => [s.name, String(s.version), ago(s.updatedAt), s.updatedBy ?? '-']),
        )}\n`,
      );
    });

  secrets
    .command('unset')
    .description(
      'Unset a secret: instances started from now on no longer get it (its versions stay encrypted in the store)',
    )
    .argument('<name>', 'secret name')
    .requiredOption('--env <environment>', 'environment')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: ScopeOptions, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<ScopeOptions>());
      const unset = await ctx.client.call<{ name: string; version: number }>(
        'DELETE',
        path(ctx.project, opts.env, named(name)),
      );
      if (opts.json) return printJson(unset);
      process.stdout.write(`unset ${unset.name} in ${opts.env} (was version ${unset.version})\n`);
    });

  secrets
    .command('reveal')
    .description("Print a secret's current value (admins only; the reveal is audited)")
    .argument('<name>', 'secret name')
    .requiredOption('--env <environment>', 'environment')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: ScopeOptions, cmd: Command) => {
      const ctx = await commandContext(cmd.optsWithGlobals<ScopeOptions>());
      const revealed = await ctx.client.call<{ name: string; version: number; value: string }>(
        'POST',
        path(ctx.project, opts.env, `${named(name)}/reveal`),
      );
      if (opts.json) return printJson(revealed);
      // Exactly the value when piped; a newline only for a person at a terminal.
      process.stdout.write(process.stdout.isTTY ? `${revealed.value}\n` : revealed.value);
    });

  secrets
    .command('rotate-key')
    .description(
      "Rotate the coordinator's master key: every data key is re-wrapped under a new key; run it again if it was " +
        'interrupted',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const result = await client.call<{ previousKeyId: string; currentKeyId: string; rewrapped: number }>(
        'POST',
        '/api/v1/secrets/rotate-key',
      );
      if (opts.json) return printJson(result);
      process.stdout.write(
        `master key ${result.previousKeyId} → ${result.currentKeyId}; re-wrapped ${result.rewrapped} secret ` +
          `version${result.rewrapped === 1 ? '' : 's'}\n`,
      );
    });
}
