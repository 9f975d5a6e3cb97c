import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code; integration tests that start processes live in test/.
// Two cores: run files in forked processes, at most two at a time, so timing-sensitive
// integration tests are not starved (three at a time was no faster: 17 min 6 s against 16 min 40 s).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts', 'bench/**/*.test.ts'],
    // One migrated store that test coordinators copy (test/support/store-seed.ts).
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
