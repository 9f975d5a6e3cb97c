import { Command } from 'commander';
import { slipwayVersion } from '../app/version.js';
import { refuseEmptyOptions } from './empty-options.js';
import { asksForJson, reportFailure } from './failure.js';

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

/** Each command's module and how it registers; only the one a run names is loaded (see bench/cli.ts). */
const commandModules: Record<string, () => Promise<(program: Command) => void>> = {
  config: async () => (await import('./commands/config-commands.js')).registerConfigCommands,
  up: async () => (await import('./commands/up.js')).registerUp,
  down: async () => (await import('./commands/down.js')).registerDown,
  coordinator: async () => (await import('./commands/coordinator.js')).registerCoordinator,
  proxy: async () => (await import('./commands/proxy.js')).registerProxy,
  deploy: async () => (await import('./commands/deploy.js')).registerDeploy,
  status: async () => (await import('./commands/status.js')).registerStatus,
  history: async () => (await import('./commands/history.js')).registerHistory,
  rollback: async () => (await import('./commands/rollback.js')).registerRollback,
  abort: async () => (await import('./commands/abort.js')).registerAbort,
  logs: async () => (await import('./commands/logs.js')).registerLogs,
  migrate: async () => (await import('./commands/migrate.js')).registerMigrate,
  db: async () => (await import('./commands/db.js')).registerDb,
  budget: async () => (await import('./commands/budget.js')).registerBudget,
  release: async () => (await import('./commands/release.js')).registerRelease,
  'promote-release': async () => (await import('./commands/promote-release.js')).registerPromoteRelease,
  tokens: async () => (await import('./commands/tokens.js')).registerTokens,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  secrets: async () => (await import('./commands/secrets.js')).registerSecrets,
  approvals: async () => (await import('./commands/approvals.js')).registerApprovals,
  'lead-times': async () => (await import('./commands/lead-times.js')).registerLeadTimes,
  scheduled: async () => (await import('./commands/scheduled.js')).registerScheduled,
  'release-notes': async () => (await import('./commands/release-notes.js')).registerReleaseNotes,
  kpis: async () => (await import('./commands/kpis.js')).registerKpis,
  users: async () => (await import('./commands/users.js')).registerUsers,
  notifications: async () => (await import('./commands/notifications.js')).registerNotifications,
  version: async () => (await import('./commands/version.js')).registerVersion,
  incidents: async () => (await import('./commands/incidents.js')).registerIncidents,
  runbook: async () => (await import('./commands/runbook.js')).registerRunbook,
  alerts: async () => (await import('./commands/alerts.js')).registerAlerts,
  silence: async () => (await import('./commands/silence.js')).registerSilence,
  dsn: async () => (await import('./commands/dsn.js')).registerDsn,
  errors: async () => (await import('./commands/errors.js')).registerErrors,
};

/** Command names registered by a module under another name. */
const moduleOf: Record<string, string> = {
  init: 'config',
  validate: 'config',
  schema: 'config',
  promote: 'abort',
  pause: 'abort',
  resume: 'abort',
  approve: 'approvals',
  reject: 'approvals',
  incident: 'incidents',
};

/** The command a run names (the first argument that is not a global option), if any. */
function commandNamed(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--config' || a === '--project') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

async function buildProgram(argv: string[], onAction: (action: Command) => void): Promise<Command> {
  const program = new Command('slipway')
    .description(
      'Deploy releases with blue-green, rolling or canary strategies behind a built-in proxy; sequence their ' +
        'database migrations; roll back by itself',
    )
    .option('-c, --config <path>', 'slipway.yaml to use (default: ./slipway.yaml)')
    .option('--project <name>', 'project name (with SLIPWAY_URL, when there is no slipway.yaml here)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nVersion: slipway --version (-V) prints it; slipway version also asks the coordinator.\n\nEnvironment: ` +
        `SLIPWAY_URL (coordinator address), SLIPWAY_TOKEN (API token), DATABASE_URL (PostgreSQL for the ` +
        `coordinator's store), SLIPWAY_MASTER_KEY (base64 of 32 bytes: the key that wraps secrets), ` +
        `NO_COLOR.\n\n${exitCodes}\n`,
    );
  program.exitOverride();
  program.hook('preAction', (_root, action) => {
    onAction(action);
    refuseEmptyOptions(action);
  });
  // A command named: load its module only. Help, no command or an unknown one: load them all,
  // so the help lists every command and a typo gets a suggestion.
  const named = commandNamed(argv);
  const key = named === undefined ? undefined : (moduleOf[named] ?? named);
  const modules = key && key in commandModules ? [key] : Object.keys(commandModules);
  for (const register of await Promise.all(modules.map((m) => commandModules[m]!()))) register(program);
  return program;
}

/** Run the CLI on `argv` (process.argv: node, script, arguments); resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  // --version before any command (after one it belongs to the command: `deploy --version 1.2.0`).
  if (commandNamed(argv) === undefined && (argv.includes('--version') || argv.includes('-V'))) {
    process.stdout.write(`slipway ${slipwayVersion}\n`);
    return 0;
  }
  // Known once a command's action is about to run (the subcommand's --json may sit on its parent).
  let json: boolean | undefined;
  const program = await buildProgram(argv, (action) => {
    json = Boolean(action.optsWithGlobals().json);
  });
  try {
    await program.parseAsync(argv);
    // Commands that report a verdict without throwing (migrate lint / plan / status) set exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportFailure(e, asksForJson(argv.slice(2), json));
  }
}
