import { existsSync, renameSync } from 'node:fs';
import type { InstanceKind, RuntimeSubject } from '../../src/runtimes/runtime.contract.js';
import type { InstanceHandle, Runtime } from '../../src/runtimes/runtime.js';
import { dockerOn, type TestEngine } from './docker.js';
import { fixtureSpec, httpRequest, waitFor } from './local-runtime.js';

/**
 * The Runtime contract subject of the container runtimes (test/container-runtime-contract.test.ts on this machine's
 * engine, test/container-ssh-contract.test.ts on an SSH host's): the fixture instance from one release directory, and
 * faults, logs and liveness seen through the test dockerd, behind the runtime's back.
 * Example: describeRuntimeContract('container', async () => containerSubject({ engine, release, gone, … }), …)
 */

const fixtureEnv: Record<InstanceKind, Record<string, string>> = {
  healthy: {},
  unhealthy: { FAIL_HEALTH: '1' },
  booting: { SLOW_START_MS: '600000' },
  unstartable: {},
  stubborn: { IGNORE_SIGTERM: '1' },
};

/** Is the run behind this handle (same container, same start) running? Asked of the engine, not the runtime. */
export function containerAlive(engine: TestEngine, handle: InstanceHandle): boolean {
  try {
    const format = '{{.State.Running}} {{.State.StartedAt}}';
    const [running, startedAt] = dockerOn(engine, 'inspect', '-f', format, String(handle.containerId)).split(' ');
    return running === 'true' && startedAt === handle.startedAt;
  } catch {
    return false;
  }
}

export interface ContainerSubjectOptions {
  engine: TestEngine;
  /** The release directory every instance runs (one image, built once); crash-for-good moves it to `gone`. */
  release: string;
  gone: string;
  /** The environment label of this file's instances: dispose removes only those from the shared test dockerd. */
  environment: string;
  /** A new runtime (what a restarted coordinator builds); dispose closes every one. */
  create(): Runtime;
}

export function containerSubject(options: ContainerSubjectOptions): RuntimeSubject {
  const { engine, release, gone, environment } = options;
  const docker = (...args: string[]) => dockerOn(engine, ...args);
  const alive = (handle: InstanceHandle) => containerAlive(engine, handle);
  const runtimes: Runtime[] = [];
  const create = () => {
    const runtime = options.create();
    runtimes.push(runtime);
    return runtime;
  };
  return {
    runtime: create(),
    spec(kind, spec = {}) {
      return fixtureSpec({
        environment,
        cwd: release,
        args: ['instance-server.mjs'],
        env: fixtureEnv[kind],
        ...(kind === 'unstartable' ? { command: 'no-such-command-in-image' } : {}),
        ...(spec.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: spec.drainTimeoutMs }),
      });
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
      await waitFor(`"${line}" in the log of ${name}`, () => docker('logs', name).includes(line));
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
        `label=dev.slipway.environment=${environment}`,
      );
      if (ids) docker('rm', '-f', ...ids.split('\n'));
      if (existsSync(gone)) renameSync(gone, release);
    },
  };
}
