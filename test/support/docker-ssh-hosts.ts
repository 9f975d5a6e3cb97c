import { execFileSync } from 'node:child_process';
import { type SshTestHosts, startSshHosts } from './ssh-hosts.js';
import type { TestEngine } from './docker.js';

/**
 * SSH test hosts whose users reach the test dockerd, for containers on SSH hosts: sshd sets DOCKER_HOST to its socket
 * for them, and each host's user joins the socket's group for the file's run. `stop` takes them out of the group again
 * (the users themselves stay, shared by every test file) and stops the hosts.
 * Example: const docker = await dockerSshHosts(engine, 2, 60); … docker.stop()
 */
export async function dockerSshHosts(
  engine: TestEngine,
  count: number,
  firstOctet: number,
): Promise<{ ssh: SshTestHosts; stop(): void }> {
  const ssh = await startSshHosts(count, firstOctet, { env: { DOCKER_HOST: `unix://${engine.socketPath}` } });
  const group = execFileSync('stat', ['-c', '%G', engine.socketPath]).toString().trim();
  const added: string[] = [];
  for (const host of ssh.hosts) {
    if (host.user === 'root' || group === 'root') continue;
    execFileSync('usermod', ['-aG', group, host.user]);
    added.push(host.user);
  }
  return {
    ssh,
    stop() {
      for (const user of added) execFileSync('gpasswd', ['-d', user, group], { stdio: 'ignore' });
      ssh.stop();
    },
  };
}
