import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestEngine } from './docker.js';
import { type SshTestHosts, startSshHosts } from './ssh-hosts.js';
import { System } from './system.js';

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

/**
 * A coordinator whose staging runs harbor-quote (`instances: 2`, containers of 128 MiB) on these hosts, its SSH key
 * stored as the secret DEPLOY_KEY the way a user stores it (`slipway secrets set --from-file`; the file is in `work`).
 */
export async function startSystemOnHosts(ssh: SshTestHosts, work: string): Promise<System> {
  const hosts = ssh.hosts.map((h) => h.url).join(', ');
  const system = await System.start({
    store: 'embedded',
    instances: 2,
    environmentExtras: { staging: `hosts: [${hosts}], sshKey: secret:DEPLOY_KEY, container: { memory: 128MiB }` },
  });
  const keyFile = join(work, 'deploy-key');
  writeFileSync(keyFile, ssh.privateKey, { mode: 0o600 });
  const set = await system.cli(['secrets', 'set', 'DEPLOY_KEY', '--env', 'staging', '--from-file', keyFile]);
  expect(set.code, set.stderr).toBe(0);
  return system;
}

/**
 * Close the coordinator; returns the ids of its staging instances, so the caller removes only its own containers
 * (other files run harbor-quote on the same test dockerd at the same time).
 */
export async function closeSystemOnHosts(system: System | undefined): Promise<Set<string>> {
  const own = new Set<string>();
  if (!system) return own;
  for (const i of await system.instances().catch(() => [])) own.add(i.id);
  await system.close();
  return own;
}
