import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * How to run a `slipway` subcommand as a new process: the same node with the CLI's compiled
 * entry (dist/cli/main.js) — or, in a source checkout without a build (tests), the TypeScript
 * entry through tsx's loader.
 */
export function cliCommand(args: string[]): [string, string[]] {
  const js = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  if (existsSync(js)) return [process.execPath, [js, ...args]];
  const ts = js.replace(/\.js$/, '.ts');
  return [process.execPath, ['--import', import.meta.resolve('tsx'), ts, ...args]];
}

/** The command that starts the proxy; the supervisor appends --admin and --state-dir. */
export function proxyCommand(): [string, string[]] {
  return cliCommand(['proxy']);
}
