import { setFlagsFromString } from 'node:v8';

/**
 * A process that runs WebAssembly (libpg-query for the linter, PGlite for the shadow dry run) for seconds at a time
 * is better off with V8's baseline compiler (Liftoff) alone: the optimizing tier spends more CPU compiling those
 * modules than it then saves. `slipway migrate plan` on the example took 6.9 s of CPU with it and 2.5 s without,
 * `migrate lint` 1.2 s and 0.85 s. That holds for every one-shot command, and for a coordinator whose store is
 * PostgreSQL (DATABASE_URL), where WebAssembly only lints and dry-runs a deployment's migrations; a coordinator on
 * its embedded PGlite store, the proxy and `up` keep the optimizing tier. Must run before the first module is
 * compiled (the command modules are imported after it).
 */
export function chooseWasmTier(command: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  // `up` runs a coordinator in this process, on the embedded store unless DATABASE_URL says otherwise; kept simple.
  const optimizing = command === 'proxy' || command === 'up' || (command === 'coordinator' && !env.DATABASE_URL);
  if (!optimizing) setFlagsFromString('--liftoff-only');
}
