#!/usr/bin/env node
// `npm run test:kubernetes`: the Kubernetes runtime's contract suite against a real cluster. It needs one:
// without KUBECONFIG it says so in one line and exits non-zero, rather than pass having run nothing.
import { spawnSync } from 'node:child_process';

if (!process.env.KUBECONFIG) {
  process.stderr.write(
    'test:kubernetes needs a cluster: set KUBECONFIG to a kubeconfig whose current context may create Deployments ' +
      'and Services in namespace $SLIPWAY_K8S_NAMESPACE (default slipway-test)\n',
  );
  process.exit(1);
}
const r = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.kubernetes.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
