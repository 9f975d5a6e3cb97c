import { setFlagsFromString } from 'node:v8';

/** Commands that serve until stopped (`up` runs a coordinator in this process): their PGlite store runs for hours. */
const serving = new Set(['coordinator', 'proxy', 'up']);

/**
 * A one-shot command that loads WebAssembly (libpg-query for the linter, PGlite for the shadow dry run) runs it for
 * seconds, and V8's optimizing tier spends more CPU compiling those modules than it then saves: `slipway migrate plan`
 * on the example took 6.9 s of CPU with it and 2.5 s with the baseline compiler (Liftoff) alone, `migrate lint`
 * 1.2 s and 0.85 s. So those commands compile WebAssembly with Liftoff only; serving ones keep the optimizing tier.
 * Must run before the first module is compiled (the command modules are imported after it).
 */
export function compileWasmForOneShot(command: string | undefined): void {
  if (command !== undefined && serving.has(command)) return;
  setFlagsFromString('--liftoff-only');
}
