import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code; integration tests that start processes live in test/.
// Two cores: run files in forked processes, three at a time. Most integration files wait on processes they
// started (with two at a time the cores were 1.45 busy on average); tests wait for conditions, never on timings.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts', 'bench/**/*.test.ts'],
    // One migrated store that test coordinators copy (test/support/store-seed.ts).
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
