#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { slipwayVersion } from '../app/version.js';
import { ConfigError, formatIssue } from '../config/errors.js';
import { exitCodeOf, isSlipwayError } from '../shared/errors.js';
import { registerAbort } from './commands/abort.js';
import { registerAudit } from './commands/audit.js';
import { registerApprovals } from './commands/approvals.js';
import { registerLeadTimes } from './commands/lead-times.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerCoordinator } from './commands/coordinator.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDown } from './commands/down.js';
import { registerHistory } from './commands/history.js';
import { registerLogs } from './commands/logs.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPromoteRelease } from './commands/promote-release.js';
import { registerProxy } from './commands/proxy.js';
import { registerRollback } from './commands/rollback.js';
import { registerStatus } from './commands/status.js';
import { registerSecrets } from './commands/secrets.js';
import { registerTokens } from './commands/tokens.js';
import { registerUp } from './commands/up.js';
import { registerUsers } from './commands/users.js';
import { red } from './output.js';

/** Exit codes (also in the README). */
export const exitCodes = `Exit codes:
  0  success
  1  failed: the deployment failed or rolled back, or slipway.yaml is invalid
  2  invalid input (flags, arguments)
  3  not found (service, environment, deployment)
  4  not authorized (token missing, unknown, expired or revoked, or without the role needed)
  5  conflict (a deployment is already running, an address is in use)
  6  unavailable (the coordinator or the proxy is not running)
  70 internal error (a bug)`;

function buildProgram(): Command {
  const program = new Command('slipway')
    .description(
      'Deploy releases with blue-green, rolling or canary strategies behind a built-in proxy; sequence their database migrations; roll back by itself',
    )
    .version(slipwayVersion, '-V, --app-version', 'print the slipway version')
    .option('-c, --config <path>', 'slipway.yaml to use (default: ./slipway.yaml)')
    .option('--project <name>', 'project name (with SLIPWAY_URL, when there is no slipway.yaml here)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nEnvironment: SLIPWAY_URL (coordinator address), SLIPWAY_TOKEN (API token), DATABASE_URL (PostgreSQL for the coordinator's store), SLIPWAY_MASTER_KEY (base64 of 32 bytes: the key that wraps secrets), NO_COLOR.\n\n${exitCodes}\n`,
    );
  program.exitOverride();
  registerConfigCommands(program);
  registerUp(program);
  registerDown(program);
  registerCoordinator(program);
  registerProxy(program);
  registerDeploy(program);
  registerStatus(program);
  registerHistory(program);
  registerRollback(program);
  registerAbort(program);
  registerLogs(program);
  registerMigrate(program);
  registerPromoteRelease(program);
  registerTokens(program);
  registerAudit(program);
  registerSecrets(program);
  registerApprovals(program);
  registerLeadTimes(program);
  registerUsers(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // Commands that report a verdict without throwing (migrate lint / plan / status) set exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed the message (or the help / version).
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof ConfigError) {
      const lines = e.issues.length > 0 ? e.issues.map(formatIssue) : [e.message];
      process.stderr.write(`${red('slipway.yaml is invalid:')}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
      return e.code === 'not_found' ? 3 : 1;
    }
    if (isSlipwayError(e)) {
      if (!e.details?.silent) process.stderr.write(`${red('slipway:')} ${e.message}\n`);
      return exitCodeOf(e.code);
    }
    process.stderr.write(`${red('slipway: internal error:')} ${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  }
}

const code = await main(process.argv);
// Commands that serve (up, coordinator, proxy) keep the event loop busy until they are done.
process.exitCode = code;
if (code !== 0) process.exit(code);
