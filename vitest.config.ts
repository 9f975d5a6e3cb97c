import { setFlagsFromString } from 'node:v8';
import { defineConfig } from 'vitest/config';
import { MixedSequencer } from './test/support/mixed-sequencer.js';

// Test processes compile WebAssembly (PGlite, libpg-query) with V8's baseline compiler only: each runs those modules
// for seconds, and the optimizing tier cost more CPU to compile them than it saved (src/migrations/linter: 14.0 s of
// CPU → 10.8 s; shadow.test.ts + pglite-driver.test.ts: 74.9 → 64.8 s). Set here for this process and the unit
// project's worker threads (V8 flags are per process); the integration forks get it as an argument. The slipway
// processes the tests start set it for themselves, as users' do (src/shared/wasm-baseline.ts).
const baselineWasm = '--liftoff-only';
setFlagsFromString(baselineWasm);

// Unit tests sit next to the code; integration tests that start processes live in test/.
// Four test files at a time on two cores (SLIPWAY_TEST_WORKERS overrides): most integration files wait on the
// processes they start, so a third file fills the cores (idle: 8 min 9–38 s at three against 11 min 7 s at two, in
// an earlier session), and a fourth fills what the third left: on 2026-12-07, one idle machine, `npm test` took 7 min
// 29 s (vitest 445 s) at four; at three, vitest took 443–494 s in six runs the same evening, all passing. Three once
// flaked where two did not (a Chromium wait for a paused canary, a port found free and bound meanwhile, contract
// migrations on a loaded machine); those were fixed at their cause or given generous waits, and the whole suite then
// passed at three beside two benchmarking helpers (load average 8–11, 25 min).
// Starved tests fail by timing out, so the integration project's default timeouts are generous (below) and tests
// wait for what they need rather than for a fixed time.
const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    maxWorkers: Number(process.env.SLIPWAY_TEST_WORKERS ?? 4),
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
          // The test databases the pools kept are dropped at the end (test/support/test-databases.ts).
          globalSetup: ['test/support/test-databases.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // Tests and hooks without a timeout of their own: a machine loaded by other work (load average 8–14 seen)
          // starves a coordinator's start or a deployment for tens of seconds; what the tests assert does not.
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // One migrated store that test coordinators copy (test/support/store-seed.ts); unit files never start one.
          globalSetup: ['test/support/global-setup.ts', 'test/support/test-databases.ts'],
          // A failed test prints its coordinators' warnings and errors (test/support/failure-logs.ts).
          // With SLIPWAY_TEST_CPU_LOG set, each file's CPU (test/support/cpu-log.ts).
          setupFiles: ['test/support/failure-report.ts', 'test/support/cpu-log.ts'],
          // Processes of their own (coordinators, proxies, browsers), so forked processes, not threads. A fork runs
          // the next integration file too (no isolation): each file importing the test support and Slipway's modules
          // afresh cost ~1.5 s of CPU in the fork and more in vitest's main process serving them. Measured on one
          // idle machine, one full run each: 1,827 → 1,599 s of CPU in all, vitest 1,054 → 940 s. Files restore what
          // they change (environment variables, stubs) and stop what they start, as they must anyway.
          pool: 'forks',
          isolate: false,
          execArgv: [baselineWasm],
        },
      },
    ],
  },
});
