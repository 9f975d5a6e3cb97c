import type { Command } from 'commander';
import type { Grant } from '../../access/types.js';
import { describeGrants } from '../../access/authorize.js';
import { coordinatorClient, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { parseGrant } from '../grant-flags.js';
import { dim, painted, printJson, table } from '../output.js';
import { readPassword } from '../password-input.js';

/** A local user as the API lists it. */
interface UserView {
  name: string;
  grants: Grant[];
  state: 'active' | 'disabled';
  totpEnabled: boolean;
  createdBy: string | null;
  createdAt: string;
  disabledAt: string | null;
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('Local users who log in to the dashboard with a password and TOTP (needs an admin token)');

  users
    .command('create')
    .description('Create a user; the password is read from stdin or typed at a prompt, never from an argument')
    .argument('<name>', 'user name: lowercase letters, digits, . _ -')
    .option(
      '--grant <role:envs>',
      "ROLE:ENVIRONMENT[,ENVIRONMENT] or ROLE:'*'; repeatable (roles: viewer, deployer, approver, admin)",
      repeat,
    )
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { grant?: string[]; json?: boolean }, cmd: Command) => {
      if (!opts.grant?.length)
        throw new CliError('invalid_input', "--grant is required, e.g. --grant approver:production (or viewer:'*')");
      const grants = opts.grant.map(parseGrant);
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const password = await readPassword(name);
      const { user } = await client.call<{ user: UserView }>('POST', '/api/v1/users', { name, password, grants });
      if (opts.json) return printJson({ user });
      process.stdout.write(`created user ${user.name}: ${describeGrants(user.grants)}\n`);
      process.stderr.write(
        'They log in with POST /api/v1/auth/login, then turn on TOTP (needed for approver/admin actions on ' +
          'production).\n',
      );
    });

  users
    .command('list')
    .description('List users with their grants, TOTP and state (never passwords)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const { users: list } = await client.call<{ users: UserView[] }>('GET', '/api/v1/users');
      if (opts.json) return printJson({ users: list });
      process.stdout.write(
        `${table(
          ['NAME', 'GRANTS', 'TOTP', 'STATE', 'CREATED BY'],
          list.map((u) => [
            u.name,
            describeGrants(u.grants),
            u.totpEnabled ? 'on' : 'off',
            u.state === 'active' ? u.state : painted(dim(u.state)),
            u.createdBy ?? '-',
          ]),
        )}\n`,
      );
    });

  users
    .command('disable')
    .description('Disable a user: login is refused and their sessions end (disabling twice is harmless)')
    .argument('<name>', 'user name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const { user } = await client.call<{ user: UserView }>(
        'POST',
        `/api/v1/users/${encodeURIComponent(name)}/disable`,
      );
      if (opts.json) return printJson({ user });
      process.stdout.write(`disabled user ${user.name} (at ${user.disabledAt})\n`);
    });

  users
    .command('set-password')
    .description("Set a user's password (from stdin or a prompt); their open sessions end")
    .argument('<name>', 'user name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const client = await coordinatorClient(cmd.optsWithGlobals<GlobalOptions>());
      const password = await readPassword(name);
      await client.call('PUT', `/api/v1/users/${encodeURIComponent(name)}/password`, { password });
      process.stdout.write(`password of ${name} changed; their sessions ended\n`);
    });
}
