import { setFlagsFromString } from 'node:v8';

/**
 * Every Slipway process runs WebAssembly (PGlite, the embedded store and the migrations' shadow database; libpg-query
 * for the linter) with V8's baseline compiler (Liftoff) alone. The optimizing tier compiles PGlite's hot functions in
 * background threads for seconds after each start, and its code is then at most ~10 % faster:
 * - an embedded coordinator to ready: 4.0 / 4.1 s of CPU against 7.1 / 8.4 s (6–8 s of wall time against 15–19 s on
 *   a loaded machine); a deployment after it 0.7 against 1.1 s; 20 s idle 1.6–1.8 against 2.2–2.4 s;
 * - `npm run bench:wasm-tier`: PGlite ready in 2.0–2.1 s of CPU against 4.3–4.6 s, then 1.1–1.3 ms per store round
 *   against 0.9–1.2 ms late in the run; the run's 6,000 rounds 10.3–10.8 s in all against 13.2–13.3 s;
 * - `slipway migrate plan` on the example: 2.5 s against 6.9 s, `migrate lint` 0.85 s against 1.2 s.
 * So a coordinator would need tens of thousands of statements to earn back the start, and every command, dry run,
 * restart and test pays it. Imported first by the entry points (cli/main.ts, demo/main.ts, demo/platform.ts): V8
 * reads the flag when a module is compiled, which is when a PGlite or the parser is first created.
 */
setFlagsFromString('--liftoff-only');
