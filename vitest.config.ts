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
// Three test files at a time on two cores: most integration files wait on the processes they start (health checks,
// analysis windows), and with two at a time the cores were idle a third of the run. On this idle 2-core machine
// `npm test` took 11 min 7 s with two (user+sys 12.9 CPU-min) and 8 min 38 s with three (all passing); on the busier
// machine of earlier sessions three was no faster than two (17 min 6 s against 16 min 40 s), never slower. Four were
// slower here (8 min 55 s) and starved two timing-sensitive files (a canary judged before the test could pause it).
const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    maxWorkers: 3,
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
