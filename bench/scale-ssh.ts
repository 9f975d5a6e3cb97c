/**
 * npm run bench:scale-ssh -- --json
 *
 * The SSH part of issue 14's scale benchmark: blue-green and rolling deployments of harbor-quote on
 * 3 SSH hosts (each a real sshd on its own loopback address, as in the tests) while ≥ 500 req/s flow
 * through the built-in proxy, 2 % of them taking 2 s: requests, failed (target 0), time to switch.
 */
import { startSshHosts } from '../test/support/ssh-hosts.js';
import { measureDeploysUnderLoad, rollback } from './deploy-under-load.js';
import { machine, printResult, progress } from './support.js';

progress('starting 3 sshd hosts on 127.0.0.2-4');
const ssh = await startSshHosts(3);
try {
  const hosts = ssh.hosts.map((h) => h.url).join(', ');
  const strategies = await measureDeploysUnderLoad({
    rate: 500,
    slowShare: 0.02,
    instances: 3,
    stagingExtras: `hosts: [${hosts}], sshKey: secret:DEPLOY_KEY`,
    secrets: { DEPLOY_KEY: ssh.privateKey },
  });
  await printResult({
    benchmark: 'scale-ssh',
    hosts: ssh.hosts.length,
    strategies,
    rollback,
    targets: { failed: 0 },
    met: { failed: strategies.every((s) => s.failed === 0) && rollback?.failed === 0 },
    machine: machine(),
  });
} finally {
  ssh.stop();
}
