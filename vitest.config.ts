import { setFlagsFromString } from 'node:v8';
import { defineConfig } from 'vitest/config';
import { MixedSequencer } from './test/support/mixed-sequencer.js';

// Test processes compile WebAssembly (PGlite, libpg-query) with V8's baseline compiler only: each runs those modules
// for seconds, and the optimizing tier cost more CPU to compile them than it saved (src/migrations/linter: 14.0 s of
// CPU → 10.8 s; shadow.test.ts + pglite-driver.test.ts: 74.9 → 64.8 s). Set here for this process and the unit
// project's worker threads (V8 flags are per process); the integration forks get it as an argument. The slipway
// processes the tests start choose for themselves, as users' do (src/cli/wasm-tier.ts).
const baselineWasm = '--liftoff-only';
setFlagsFromString(baselineWasm);

// Unit tests sit next to the code; integration tests that start processes live in test/.
// Two test files at a time on two cores. Three were faster on this idle machine (`npm test` 11 min 7 s with two, 8 min
// 9–38 s with three, all passing in six runs, the CPU 80–99 % busy instead of ~60 %), but with another load beside them
// (a benchmark running) a Chromium test timed out at three, and four starved two timing-sensitive files even idle.
// CI machines are not always idle (the last failed CI run was most likely a starved leader lease): two stays.
const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    maxWorkers: 2,
    reporters: ['default'],
    // Unit and integration files in one queue (test/support/mixed-sequencer.ts).
    sequence: { sequencer: MixedSequencer },
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['src/**/*.test.ts', 'examples/**/*.test.ts', 'bench/**/*.test.ts'],
          // Unit files share their worker's modules instead of importing everything again per file: importing was
          // most of the unit tests' CPU (src/api + src/engine: 194 s of CPU isolated, 121 s shared). They mock no
          // modules and restore what they stub, so nothing leaks from one file into the next.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // One migrated store that test coordinators copy (test/support/store-seed.ts); unit files never start one.
          globalSetup: ['test/support/global-setup.ts'],
          // A failed test prints its coordinators' warnings and errors (test/support/failure-logs.ts).
          setupFiles: ['test/support/failure-report.ts'],
          // Processes of their own (coordinators, proxies, browsers): each file in a fresh forked process.
          pool: 'forks',
          execArgv: [baselineWasm],
        },
      },
    ],
  },
});
