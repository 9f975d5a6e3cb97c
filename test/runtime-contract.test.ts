import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, signalGroup } from '../src/runtimes/local/process-identity.js';
import type { InstanceHandle } from '../src/runtimes/runtime.js';
import { describeRuntimeContract, type InstanceKind, type RuntimeSubject } from '../src/runtimes/runtime.contract.js';
import { FakeMachine, FakeRuntime, type FakeBehaviour } from './support/fake-runtime.js';
import { fixtureSpec, httpRequest, RuntimeHarness, waitFor } from './support/local-runtime.js';

/**
 * The Runtime contract (src/runtimes/runtime.contract.ts) against the local runtime, with real
 * processes running test/fixtures/instance-server.mjs, and against the fake the engine tests use.
 */

const identity = (handle: InstanceHandle) => ({ pid: handle.pid as number, procStart: handle.procStart as number });

/** The fixture's env knobs (see its header) for each kind of instance. */
const fixtureEnv: Record<InstanceKind, Record<string, string>> = {
  healthy: {},
  unhealthy: { FAIL_HEALTH: '1' },
  booting: { SLOW_START_MS: '600000' },
  unstartable: {},
  stubborn: { IGNORE_SIGTERM: '1' },
};

async function localSubject(): Promise<RuntimeSubject> {
  const harness = new RuntimeHarness();
  await harness.setup();
  const cwds = new Map<string, string>();
  return {
    runtime: harness.create(),
    spec(kind, options = {}) {
      // Each instance runs in a directory of its own, so one can disappear (crash-for-good).
      const cwd = mkdtempSync(join(harness.logDir, 'cwd-'));
      const spec = fixtureSpec({
        cwd,
        env: fixtureEnv[kind],
        ...(kind === 'unstartable' ? { command: join(cwd, 'no-such-command') } : {}),
        ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
      });
      cwds.set(spec.instanceId, cwd);
      return spec;
    },
    async cause(instance, fault) {
      if (fault === 'crash-for-good') await rm(cwds.get(instance.instanceId)!, { recursive: true });
      const path = { 'fail-health': '/fail-health', 'pass-health': '/pass-health' }[fault as string] ?? '/crash';
      await httpRequest(instance.address, path, 'POST');
    },
    async print(instance, line) {
      await httpRequest(instance.address, `/log?line=${encodeURIComponent(line)}`, 'POST');
    },
    alive: (handle) => isProcessAlive(identity(handle)),
    async kill(handle) {
      signalGroup(handle.pgid as number, 'SIGKILL');
      await waitFor('the killed instance to be gone', () => !isProcessAlive(identity(handle)));
    },
    reopen: () => harness.create(),
    dispose: () => harness.cleanup(),
  };
}

function fakeSubject(): Promise<RuntimeSubject> {
  const machine = new FakeMachine();
  const kinds = new Map<string, InstanceKind>();
  const runtimes: FakeRuntime[] = [];
  const behaviour = (kind: InstanceKind | undefined): FakeBehaviour => {
    if (kind === 'stubborn') return { outcome: 'healthy', ignoresStop: true };
    if (kind === 'booting') return { outcome: 'starting' };
    return { outcome: kind ?? 'healthy' };
  };
  const create = () => {
    const runtime = new FakeRuntime({ machine });
    runtime.behaviour = (spec) => behaviour(kinds.get(spec.instanceId));
    runtimes.push(runtime);
    return runtime;
  };
  /** The runtime supervising an instance now (the latest one that lists it). */
  const supervisor = (id: string) => [...runtimes].reverse().find((r) => r.list().some((s) => s.instanceId === id))!;
  return Promise.resolve({
    runtime: create(),
    spec(kind, options = {}) {
      const spec = fixtureSpec(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs });
      kinds.set(spec.instanceId, kind);
      return spec;
    },
    async cause({ instanceId }, fault) {
      const runtime = supervisor(instanceId);
      if (fault === 'fail-health' || fault === 'pass-health') runtime.failHealth(instanceId, fault === 'fail-health');
      else runtime.crash(instanceId, fault === 'crash-for-good' ? { restartFailure: 'its directory is gone' } : {});
    },
    async print({ instanceId }, line) {
      machine.print(instanceId, line);
    },
    alive: (handle) => machine.running(handle.pid) !== undefined,
    async kill(handle) {
      machine.kill(handle.pid as number);
    },
    reopen: create,
    async dispose() {
      for (const r of runtimes) await r.close();
    },
  });
}

describeRuntimeContract('local', localSubject, { quietMs: 800 });
describeRuntimeContract('fake', fakeSubject, { quietMs: 100 });
