import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ContainerRuntime, HostContainers } from '../src/runtimes/container/index.js';
import { describeRuntimeContract, type InstanceKind, type RuntimeSubject } from '../src/runtimes/runtime.contract.js';
import type { InstanceHandle } from '../src/runtimes/runtime.js';
import { useDockerEngine, type TestEngine } from './support/docker.js';
import { fixtureScript, fixtureSpec, httpRequest, waitFor } from './support/local-runtime.js';
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

const fixtureEnv: Record<InstanceKind, Record<string, string>> = {
  healthy: {},
  unhealthy: { FAIL_HEALTH: '1' },
  booting: { SLOW_START_MS: '600000' },
  unstartable: {},
  stubborn: { IGNORE_SIGTERM: '1' },
};

const docker = (...args: string[]) =>
  execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${engine.socketPath}` } })
    .toString()
    .trim();

/** Is the run behind this handle (same container, same start) running? Asked of the engine, not the runtime. */
function alive(handle: InstanceHandle): boolean {
  try {
    const [running, startedAt] = docker(
      'inspect',
      '-f',
      '{{.State.Running}} {{.State.StartedAt}}',
      String(handle.containerId),
    ).split(' ');
    return running === 'true' && startedAt === handle.startedAt;
  } catch {
    return false;
  }
}

async function containerSubject(): Promise<RuntimeSubject> {
  const runtimes: HostContainers[] = [];
  const started = new Set<string>();
  const create = () => {
    const runtime = new HostContainers({
      local: new ContainerRuntime({ socketPath: engine.socketPath }),
      hostsFor: () => [sshHosts.hosts[0]!.url],
      knownHostsFile: join(work, 'known_hosts.json'),
      credentials: async () => ({ privateKey: sshHosts.privateKey }),
      pollMs: 200,
      memoryBytes: () => 128 * 2 ** 20,
    });
    runtime.subscribe((e) => {
      if (e.type === 'handle') started.add(String(e.handle.containerId));
    });
    runtimes.push(runtime);
    return runtime;
  };
  return {
    runtime: create(),
    spec(kind, options = {}) {
      const spec = fixtureSpec({
        // Its own environment label: dispose removes only this file's containers on the shared test dockerd.
        environment: 'over-ssh',
        cwd: release,
        args: ['instance-server.mjs'],
        env: fixtureEnv[kind],
        ...(kind === 'unstartable' ? { command: 'no-such-command-in-image' } : {}),
        ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
      });
      return spec;
    },
    async cause(instance, fault) {
      const path = { 'fail-health': '/fail-health', 'pass-health': '/pass-health' }[fault as string] ?? '/crash';
      if (fault === 'crash-for-good') {
        // Its release directory and image gone, then its container: the restart has nothing to start or build.
        const name = `slipway-${instance.instanceId}`;
        const image = docker('inspect', '-f', '{{.Config.Image}}', name);
        renameSync(release, gone);
        docker('rmi', '-f', image);
        docker('rm', '-f', name);
        return;
      }
      await httpRequest(instance.address, path, 'POST');
    },
    async print(instance, line) {
      await httpRequest(instance.address, `/log?line=${encodeURIComponent(line)}`, 'POST');
      // The engine copies a container's output to its log asynchronously (shim → log driver), so the
      // answer can come before the line is in the log: "printed" means the engine has it.
      const name = `slipway-${instance.instanceId}`;
      await waitFor(`"${line}" in the log of ${name}`, () =>
        execFileSync('docker', ['logs', name], {
          env: { ...process.env, DOCKER_HOST: `unix://${engine.socketPath}` },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
          .toString()
          .includes(line),
      );
    },
    alive,
    async kill(handle) {
      docker('kill', '-s', 'KILL', String(handle.containerId));
      await waitFor('the killed container to be gone', () => !alive(handle));
    },
    reopen: create,
    async dispose() {
      for (const r of runtimes) await r.close();
      const ids = docker(
        'ps',
        '-aq',
        '--filter',
        'label=dev.slipway.runtime=container',
        '--filter',
        'label=dev.slipway.project=demo',
        '--filter',
        'label=dev.slipway.environment=over-ssh',
      );
      if (ids) docker('rm', '-f', ...ids.split('\n'));
      started.clear();
      if (existsSync(gone)) renameSync(gone, release);
    },
  };
}

describeRuntimeContract('container on an SSH host', containerSubject, { quietMs: 1000, timeoutMs: 30_000 });
