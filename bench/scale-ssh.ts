/**
 * npm run bench:scale-ssh -- --json [--proxy builtin|haproxy|both]
 *
 * The SSH part of issue 14's scale benchmark: blue-green and rolling deployments of harbor-quote on
 * 3 SSH hosts (each a real sshd on its own loopback address, as in the tests) while ≥ 500 req/s flow
 * through the data plane, 2 % of them taking 2 s: requests, failed (target 0), time to switch; then a rollback to
 * the warm release. The issue asks for it with the built-in proxy and with HAProxy: `both` (the default) runs the
 * whole sequence once with each, on the same hosts, one after the other.
 */
import { startSshHosts } from '../test/support/ssh-hosts.js';
import { measureDeploysUnderLoad, type RollbackResult, rollback, type StrategyResult } from './deploy-under-load.js';
import { machine, printResult, progress, refuse } from './support.js';

const at = process.argv.indexOf('--proxy');
const choice = at === -1 ? 'both' : process.argv[at + 1];
if (choice !== 'builtin' && choice !== 'haproxy' && choice !== 'both')
  await refuse(`bench:scale-ssh: --proxy must be builtin, haproxy or both, got ${choice ?? 'nothing'}`);
// `await refuse()` does not narrow `choice` (only a call typed `never` does): the check above has.
const proxies = choice === 'both' ? (['builtin', 'haproxy'] as const) : [choice as 'builtin' | 'haproxy'];

progress('starting 3 sshd hosts on 127.0.0.2-4');
const ssh = await startSshHosts(3);
try {
  const hosts = ssh.hosts.map((h) => h.url).join(', ');
  const runs: { proxy: string; strategies: StrategyResult[]; rollback: RollbackResult | undefined }[] = [];
  for (const proxy of proxies) {
    progress(`data plane: ${proxy}`);
    const strategies = await measureDeploysUnderLoad({
      rate: 500,
      slowShare: 0.02,
      instances: 3,
      stagingExtras: `hosts: [${hosts}], sshKey: secret:DEPLOY_KEY`,
      secrets: { DEPLOY_KEY: ssh.privateKey },
      ...(proxy === 'haproxy' ? { proxy: 'kind: haproxy' } : {}),
    });
    // measureDeploysUnderLoad leaves its rollback figure in the module's `rollback`: read it before the next run.
    runs.push({ proxy, strategies, rollback });
  }
  await printResult({
    benchmark: 'scale-ssh',
    hosts: ssh.hosts.length,
    runs,
    targets: { failed: 0 },
    met: { failed: runs.every((r) => r.strategies.every((s) => s.failed === 0) && r.rollback?.failed === 0) },
    machine: machine(),
  });
} finally {
  ssh.stop();
}
