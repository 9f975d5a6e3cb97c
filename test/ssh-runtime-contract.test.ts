import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeRuntimeContract, type InstanceKind, type RuntimeSubject } from '../src/runtimes/runtime.contract.js';
import type { InstanceHandle } from '../src/runtimes/runtime.js';
import { contentHash } from '../src/runtimes/ssh/release-archive.js';
import { SshRuntime } from '../src/runtimes/ssh/index.js';
import { killTagged } from '../src/shared/tagged-processes.js';
import { fixtureScript, fixtureSpec, httpRequest, waitFor } from './support/local-runtime.js';
import { startSshHosts, type SshTestHosts } from './support/ssh-hosts.js';

/**
 * The Runtime contract (src/runtimes/runtime.contract.ts) against the SSH runtime, with two real
 * OpenSSH servers on 127.0.0.2 and 127.0.0.3 as its hosts and the fixture instance shipped to them.
 */

let ssh: SshTestHosts;
const work = mkdtempSync(join(tmpdir(), 'ssh-contract-'));
beforeAll(async () => {
  ssh = await startSshHosts(2);
}, 30_000);
afterAll(() => {
  ssh?.stop();
  rmSync(work, { recursive: true, force: true });
});

const fixtureEnv: Record<InstanceKind, Record<string, string>> = {
  healthy: {},
  unhealthy: { FAIL_HEALTH: '1' },
  booting: { SLOW_START_MS: '600000' },
  unstartable: {},
  stubborn: { IGNORE_SIGTERM: '1' },
};

/** /proc start time of a pid as the host script records it, or undefined when it is gone. */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

const alive = (handle: InstanceHandle) => procStart(handle.pid as number) === handle.procStart;

async function sshSubject(): Promise<RuntimeSubject> {
  const knownHostsFile = join(mkdtempSync(join(work, 'data-')), 'known-hosts.json');
  const runtimes: SshRuntime[] = [];
  const create = () => {
    const runtime = new SshRuntime({
      hostsFor: () => ssh.hosts.map((h) => h.url),
      knownHostsFile,
      credentials: async () => ({ privateKey: ssh.privateKey }),
      pollMs: 200,
    });
    runtimes.push(runtime);
    return runtime;
  };
  const cwds = new Map<string, string>();
  return {
    runtime: create(),
    spec(kind, options = {}) {
      // Each instance gets a release of its own (a unique file makes a unique content hash), so one can vanish.
      const cwd = mkdtempSync(join(work, 'release-'));
      copyFileSync(fixtureScript, join(cwd, 'instance-server.mjs'));
      writeFileSync(join(cwd, 'release-id'), cwd);
      const spec = fixtureSpec({
        cwd,
        args: ['instance-server.mjs'],
        env: fixtureEnv[kind],
        ...(kind === 'unstartable' ? { command: 'no-such-command-on-host' } : {}),
        ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
      });
      cwds.set(spec.instanceId, cwd);
      return spec;
    },
    async cause(instance, fault) {
      if (fault === 'crash-for-good') {
        // Gone everywhere: on the hosts and at its source, so the runtime cannot ship it again.
        const cwd = cwds.get(instance.instanceId)!;
        const { hash } = await contentHash(cwd);
        for (const h of ssh.hosts) rmSync(join(h.dir, 'releases', hash), { recursive: true, force: true });
        rmSync(cwd, { recursive: true, force: true });
      }
      const path = { 'fail-health': '/fail-health', 'pass-health': '/pass-health' }[fault as string] ?? '/crash';
      await httpRequest(instance.address, path, 'POST');
    },
    async print(instance, line) {
      await httpRequest(instance.address, `/log?line=${encodeURIComponent(line)}`, 'POST');
    },
    alive,
    async kill(handle) {
      process.kill(-(handle.pid as number), 'SIGKILL');
      await waitFor('the killed instance to be gone', () => !alive(handle));
    },
    reopen: create,
    async dispose() {
      for (const r of runtimes) await r.close();
      for (const h of ssh.hosts) killTagged('SLIPWAY_TEST_HOST', `${h.address}-${h.port}`);
    },
  };
}

describeRuntimeContract('ssh', sshSubject, { quietMs: 1000, timeoutMs: 30_000 });
