import { defineConfig } from 'vitest/config';
import { MixedSequencer } from './test/support/mixed-sequencer.js';

// Unit tests sit next to the code; integration tests that start processes live in test/.
// Two cores: at most two test files at a time, so timing-sensitive integration tests are not starved (three at a
// time was no faster: 17 min 6 s against 16 min 40 s).
const shared = {
  // One migrated store that test coordinators copy (test/support/store-seed.ts).
  globalSetup: ['test/support/global-setup.ts'],
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
          // Processes of their own (coordinators, proxies, browsers): each file in a fresh forked process.
          pool: 'forks',
        },
      },
    ],
  },
});
