import { defineConfig } from 'vitest/config';

// `npm run test:kubernetes`: the Runtime contract against a real cluster (KUBECONFIG). Never part of
// `npm test`: its files end in .k8s.ts, which the default config does not include.
export default defineConfig({
  test: {
    include: ['test/kubernetes/**/*.k8s.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
