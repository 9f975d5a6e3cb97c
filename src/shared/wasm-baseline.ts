import { setFlagsFromString } from 'node:v8';

/**
 * Every Slipway process runs WebAssembly (PGlite, the embedded store and the migrations' shadow database; libpg-query
 * for the linter) with V8's baseline compiler (Liftoff) alone. The optimizing tier compiled PGlite's hot functions
 * in background threads for seconds after each start and then did not make statements faster:
 * - an embedded coordinator to ready: 4.0 / 4.1 s of CPU against 7.1 / 8.4 s (6–8 s of wall time against 15–19 s on
 *   this loaded machine); a deployment after it 0.7 against 1.1 s; 20 s idle 1.6–1.8 against 2.2–2.4 s;
 * - PGlite alone, 6,000 rounds of an event insert, a deployment upsert and a page read: 1.1–1.6 ms per round either
 *   way, the process 10.4–11.1 s against 13.8–14.4 s in all;
 * - `slipway migrate plan` on the example: 2.5 s against 6.9 s, `migrate lint` 0.85 s against 1.2 s.
 * Imported first by the entry points (cli/main.ts, demo/main.ts, demo/platform.ts): V8 reads the flag when a module is
 * compiled, which is when a PGlite or the parser is first created, not when their JavaScript is imported.
 */
setFlagsFromString('--liftoff-only');
