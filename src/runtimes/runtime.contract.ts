import { afterEach, beforeEach, describe } from 'vitest';
import type { InstanceHandle, InstanceSpec, InstanceState, Runtime } from './runtime.js';
import { lifecycleCases } from './runtime-lifecycle.contract.js';
import { Seen } from './runtime-seen.contract.js';
import { supervisionCases } from './runtime-supervision.contract.js';
import { usageCases } from './runtime-usage.contract.js';

/**
 * The contract every Runtime keeps (runtime.ts), as one suite that each implementation runs:
 * the local runtime, the fake the engine tests use, and later SSH hosts or Kubernetes. A subject
 * says how to make its instances behave; the suite only talks to the Runtime interface.
 */

/** How an instance the suite starts behaves; the subject turns each into a spec its runtime runs. */
export type InstanceKind =
  | 'healthy' // listens and passes its health checks
  | 'unhealthy' // listens, fails its health checks
  | 'booting' // never listens
  | 'unstartable' // cannot be spawned (its command does not exist)
  | 'stubborn'; // healthy, but ignores the polite stop signal

/** What the outside world does to a running instance. */
export type InstanceFault =
  | 'fail-health'
  | 'pass-health'
  | 'crash' // the process exits unexpectedly
  | 'crash-for-good'; // the process exits, and its restart cannot be spawned (e.g. its directory is gone)

/** One runtime under test, with the means to act on its instances the way the world would. */
export interface RuntimeSubject {
  runtime: Runtime;
  /** A spec (fresh instanceId) whose instance behaves as `kind`. */
  spec(kind: InstanceKind, options?: { drainTimeoutMs?: number }): InstanceSpec;
  cause(instance: { instanceId: string; address: string }, fault: InstanceFault): Promise<void>;
  /** Make the instance print `line` on its output. */
  print(instance: { instanceId: string; address: string }, line: string): Promise<void>;
  /** Is the process behind this handle running (seen from outside the runtime)? */
  alive(handle: InstanceHandle): boolean;
  /** Kill the process behind the runtime's back, and wait until it is gone. */
  kill(handle: InstanceHandle): Promise<void>;
  /** A new runtime on the same machine: what a restarted coordinator builds. */
  reopen(): Runtime;
  /** Stop everything the test left running and remove what it wrote. */
  dispose(): Promise<void>;
}

export interface RuntimeContractOptions {
  /** How long to watch for something that must not happen (a restart after stop, a verdict). */
  quietMs: number;
  /** Upper bound for things that must happen (default 20 s: the machine may be loaded). */
  timeoutMs?: number;
}

/** What one test of the suite works with. */
export interface RuntimeCase {
  s: RuntimeSubject;
  runtime: Runtime;
  /** Events seen from every runtime of the test. */
  seen: Seen;
  /** Start an instance of `kind` and wait until it is in `state` (default healthy). */
  running(
    kind?: InstanceKind,
    state?: InstanceState,
    drainTimeoutMs?: number,
  ): Promise<{ spec: InstanceSpec; handle: InstanceHandle; instance: { instanceId: string; address: string } }>;
  /** Wait long enough to see that nothing more happens. */
  quiet(): Promise<void>;
}

/** How the cases reach the current test's RuntimeCase (made afresh for every test). */
export interface RuntimeCaseContext {
  now(): RuntimeCase;
}

/**
 * Run the Runtime contract against one implementation.
 * Example: describeRuntimeContract('local', () => localSubject(), { quietMs: 800 })
 */
export function describeRuntimeContract(
  name: string,
  makeSubject: () => Promise<RuntimeSubject>,
  options: RuntimeContractOptions,
): void {
  const timeoutMs = options.timeoutMs ?? 20_000;
  describe(`Runtime contract: ${name}`, () => {
    let current: RuntimeCase | undefined;
    beforeEach(async () => {
      const s = await makeSubject();
      const seen = new Seen(timeoutMs);
      seen.watch(s.runtime);
      current = {
        s,
        runtime: s.runtime,
        seen,
        async running(kind = 'healthy', state = 'healthy', drainTimeoutMs) {
          const spec = s.spec(kind, { drainTimeoutMs });
          const handle = await s.runtime.start(spec);
          await seen.state(spec.instanceId, state);
          return { spec, handle, instance: { instanceId: spec.instanceId, address: handle.address } };
        },
        quiet: () => new Promise((r) => setTimeout(r, options.quietMs)),
      };
    });
    afterEach(() => current?.s.dispose());
    const ctx: RuntimeCaseContext = {
      now() {
        if (!current) throw new Error('the runtime contract case is only there inside a test');
        return current;
      },
    };
    lifecycleCases(ctx);
    supervisionCases(ctx);
    usageCases(ctx);
  });
}
