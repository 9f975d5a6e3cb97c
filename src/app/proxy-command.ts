import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * How to run a `slipway` subcommand as a new process: the same node with the CLI entry of the
 * code that is running — dist/cli/main.js for the built package, or src/cli/main.ts through tsx's
 * loader in a source checkout (tests). SLIPWAY_ENTRY=dist forces the built entry (benchmarks
 * measure the shipped code even when driven from TypeScript).
 */
export function cliCommand(args: string[]): [string, string[]] {
  const here = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const built = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  if (existsSync(here)) return [process.execPath, [here, ...args]];
  if (process.env.SLIPWAY_ENTRY === 'dist') {
    if (!existsSync(built)) throw new Error(`SLIPWAY_ENTRY=dist but ${built} does not exist; run npm run build`);
    return [process.execPath, [built, ...args]];
  }
  return [process.execPath, ['--import', import.meta.resolve('tsx'), here.replace(/\.js$/, '.ts'), ...args]];
}

/** The command that starts the proxy (`workers` from slipway.yaml); the supervisor appends --admin and --state-dir. */
export function proxyCommand(workers: number | 'auto' = 'auto'): [string, string[]] {
  return cliCommand(workers === 'auto' ? ['proxy'] : ['proxy', '--workers', String(workers)]);
}
