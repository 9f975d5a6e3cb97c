import { RuntimeError } from '../local/errors.js';
import { shellLine, shellQuote } from '../../shared/shell-quote.js';

/** What one process start on a host runs. */
export interface Launch {
  instanceId: string;
  /** Remote directory of the instance: launch.sh, env, log, pid. */
  runDir: string;
  cwd: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `launch.sh` and `env` for one start, with every value quoted (shell-quote.ts). `launch.sh check`
 * only checks the directory and the command, so a start that cannot spawn fails at once naming
 * them; `launch.sh run` reads `env` (mode 0600, it may hold secrets), deletes it and execs the command.
 */
export function launchFiles(launch: Launch): { script: string; env: string } {
  for (const name of Object.keys(launch.env)) {
    if (!envName.test(name))
      throw new RuntimeError(
        'invalid_input',
        `instance ${launch.instanceId}: env.${name} is not a variable name a ` +
          'host shell accepts (letters, digits, "_")',
        { instanceId: launch.instanceId, field: `env.${name}` },
      );
  }
  const cwd = shellQuote(launch.cwd);
  const command = shellQuote(launch.command);
  const envFile = shellQuote(`${launch.runDir}/env`);
  const script = [
    `# Written by Slipway for instance ${launch.instanceId}; every value is quoted.`,
    `cd ${cwd} 2>/dev/null || { printf 'working directory %s is missing on this host\\n' ${cwd} >&2; exit 126; }`,
    `command -v ${command} >/dev/null 2>&1 || { printf 'command not found: %s\\n' ${command} >&2; exit 127; }`,
    '[ "$1" = check ] && exit 0',
    `. ${envFile}; rm -f ${envFile}`,
    `exec ${shellLine([launch.command, ...launch.args])}`,
    '',
  ].join('\n');
  const env = Object.entries(launch.env)
    .map(([name, value]) => `export ${shellQuote(`${name}=${value}`)}\n`)
    .join('');
  return { script, env };
}
