import type { Command } from 'commander';
import type { Grant } from '../../access/types.js';
import { describeGrants } from '../../access/authorize.js';
import { coordinatorClient, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { parseGrant } from '../grant-flags.js';
import { dim, painted, printJson, table } from '../output.js';

/** A token as the API lists it. */
interface TokenView {
  id: string;
  name: string;
  grants: Grant[];
  state: 'active' | 'expired' | 'revoked';
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens scoped to roles per environment (needs an admin token)');

  tokens
    .command('create')
    .description('Create a token; it is printed once on stdout (details on stderr), store it now')
    .requiredOption('--name <name>', 'what the token is for, e.g. ci')
    .option(
      '--grant <role:envs>',
      "ROLE:ENVIRONMENT[,ENVIRONMENT] or ROLE:'*'; repeatable (roles: viewer, deployer, approver, admin)",
      repeat,
    )
    .option('--expires <duration>', 'expires after this long, e.g. 30d (default: never)')
    .option('--json', 'print JSON (including the token)')
    .action(async (opts: { name: string; grant?: string[]; expires?: string; json?: boolean }, cmd: Command) => {
      if (!opts.grant?.length)
        throw new CliError('invalid_input', "--grant is required, e.g. --grant deployer:staging (or viewer:'*')");
      const grants = opts.grant.map(parseGrant);
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const created = await client
        .call<{ token: TokenView; secret: string }>('POST', '/api/v1/tokens', {
          name: opts.name,
          grants,
          ...(opts.expires !== undefined ? { expiresIn: opts.expires } : {}),
        })
        .catch((e: unknown) => {
          // The API names body fields; the user typed flags.
          if (e instanceof Error && e.message.startsWith('body.expiresIn'))
            throw new CliError('invalid_input', e.message.replace('body.expiresIn', '--expires'));
          throw e;
        });
      if (opts.json) return printJson(created);
      const { token } = created;
      process.stderr.write(
        `created token ${token.id} "${token.name}": ` +
          `${describeGrants(token.grants)}${token.expiresAt ? `, expires ${token.expiresAt}` : ''}\n`,
      );
      process.stderr.write('It is shown this once: store it now (e.g. as SLIPWAY_TOKEN in CI secrets).\n');
      process.stdout.write(`${created.secret}\n`);
    });

  tokens
    .command('list')
    .description('List tokens with their grants and state (never the tokens themselves)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const { tokens: list } = await client.call<{ tokens: TokenView[] }>('GET', '/api/v1/tokens');
      if (opts.json) return printJson({ tokens: list });
      process.stdout.write(
        `${table(
          ['ID', 'NAME', 'GRANTS', 'STATE', 'EXPIRES', 'CREATED BY'],
          list.map((t) => [
            t.id,
            t.name,
            describeGrants(t.grants),
            t.state === 'active' ? t.state : painted(dim(t.state)),
            t.expiresAt ?? '-',
            t.createdBy ?? '-',
          ]),
        )}\n`,
      );
    });

  tokens
    .command('revoke')
    .description('Revoke a token: it is refused from now on (revoking twice is harmless)')
    .argument('<id>', 'token id (tok_…), from slipway tokens list')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const { token } = await client.call<{ token: TokenView }>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
      if (opts.json) return printJson({ token });
      process.stdout.write(`revoked token ${token.id} "${token.name}" (at ${token.revokedAt})\n`);
    });
}
