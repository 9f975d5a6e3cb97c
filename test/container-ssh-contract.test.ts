import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ContainerRuntime, HostContainers } from '../src/runtimes/container/index.js';
import { describeRuntimeContract } from '../src/runtimes/runtime.contract.js';
import { containerSubject } from './support/container-contract.js';
import { useDockerEngine, type TestEngine } from './support/docker.js';
import { fixtureScript } from './support/local-runtime.js';
import type { SshTestHosts } from './support/ssh-hosts.js';
import { dockerSshHosts } from './support/docker-ssh-hosts.js';

/**
 * The Runtime contract (src/runtimes/runtime.contract.ts) against containers on an SSH host (HostContainers: the
 * host's engine reached over SSH), with a real sshd (test/support/ssh-hosts.ts) whose user reaches the test dockerd.
 */

let engine: TestEngine;
let sshHosts: SshTestHosts;
let dockerHosts: Awaited<ReturnType<typeof dockerSshHosts>> | undefined;
const work = mkdtempSync(join(tmpdir(), 'container-ssh-contract-'));
/** One release directory shared by every instance: one image, built once. */
const release = join(work, 'release');
const gone = join(work, 'release-gone');
beforeAll(async () => {
  engine = await useDockerEngine();
  mkdirSync(release);
  copyFileSync(fixtureScript, join(release, 'instance-server.mjs'));
  // Content of its own, so its image is not test/container-runtime-contract.test.ts's (which its faults remove).
  writeFileSync(join(release, 'over-ssh.txt'), 'the container contract on an SSH host\n');
  dockerHosts = await dockerSshHosts(engine, 1, 62);
  sshHosts = dockerHosts.ssh;
}, 120_000);
afterAll(async () => {
  dockerHosts?.stop();
  await engine?.release();
  rmSync(work, { recursive: true, force: true });
});

describeRuntimeContract(
  'container on an SSH host',
  async () =>
    containerSubject({
      engine,
      release,
      gone,
      // Its own environment label: dispose removes only this file's containers on the shared test dockerd.
      environment: 'over-ssh',
      create: () =>
        new HostContainers({
          local: new ContainerRuntime({ socketPath: engine.socketPath }),
          hostsFor: () => [sshHosts.hosts[0]!.url],
          knownHostsFile: join(work, 'known_hosts.json'),
          credentials: async () => ({ privateKey: sshHosts.privateKey }),
          pollMs: 200,
          memoryBytes: () => 128 * 2 ** 20,
        }),
    }),
  { quietMs: 1000, timeoutMs: 30_000 },
);
