import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId } from '../../src/shared/ids.js';
import type { HealthCheck, InstanceSpec, InstanceState, RuntimeEvent } from '../../src/runtimes/runtime.js';
import { LocalRuntime, type LocalRuntimeOptions } from '../../src/runtimes/local/index.js';
import {
  isProcessAlive,
  readProcStart,
  signalGroup,
  type ProcessIdentity,
} from '../../src/runtimes/local/process-identity.js';

/** The test instance: a node script serving /health and / with misbehaviour knobs (see the file). */
export const fixtureScript = fileURLToPath(new URL('../fixtures/instance-server.mjs', import.meta.url));

const fastHealth: HealthCheck = {
  path: '/health',
  intervalMs: 100,
  timeoutMs: 2000,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

/** A spec running the fixture; every instance gets a fresh id. */
export function fixtureSpec(
  overrides: Partial<Omit<InstanceSpec, 'health'>> & { health?: Partial<HealthCheck> } = {},
): InstanceSpec {
  const { health, ...rest } = overrides;
  return {
    instanceId: newId('ins'),
    project: 'demo',
    service: 'quote',
    environment: 'test',
    release: 'v1',
    command: process.execPath,
    args: [fixtureScript],
    cwd: tmpdir(),
    env: {},
    drainTimeoutMs: 5000,
    ...rest,
    health: { ...fastHealth, ...health },
  };
}

/** Poll until `probe` returns something truthy; fails with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A plain HTTP request to an instance (no keep-alive, so no socket outlives the test). */
export function httpRequest(address: string, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, method, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${address}${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Runtimes, events and processes of one test. cleanup() stops every instance through its
 * runtime, closes the runtimes, then SIGKILLs any recorded process still alive (the safety
 * net for tests that failed half-way or handed a process from one runtime to another).
 */
export class RuntimeHarness {
  logDir = '';
  readonly events: RuntimeEvent[] = [];
  private readonly runtimes: LocalRuntime[] = [];
  private readonly processes: ProcessIdentity[] = [];

  async setup(): Promise<void> {
    this.logDir = await mkdtemp(join(tmpdir(), 'slipway-local-runtime-'));
  }

  /** A runtime recording its events here; short restart backoff unless told otherwise. */
  create(options: Partial<LocalRuntimeOptions> = {}): LocalRuntime {
    const runtime = new LocalRuntime({
      logDir: this.logDir,
      restartBackoff: { initialMs: 200, maxMs: 1000 },
      ...options,
    });
    runtime.subscribe((event) => {
      this.events.push(event);
      if (event.type === 'state' && event.status.pid) this.track(event.status.pid);
    });
    this.runtimes.push(runtime);
    return runtime;
  }

  /** Remember a pid for the safety net (its start time is read now, so a recycled pid is spared). */
  track(pid: number): void {
    if (!this.processes.some((p) => p.pid === pid)) this.processes.push({ pid, procStart: readProcStart(pid) });
  }

  /** State events of one instance, in order. */
  states(instanceId: string): InstanceState[] {
    return this.events.flatMap((e) =>
      e.type === 'state' && e.status.instanceId === instanceId ? [e.status.state] : [],
    );
  }

  /** Events of one type for one instance. */
  eventsOf<T extends RuntimeEvent['type']>(type: T, instanceId: string): Extract<RuntimeEvent, { type: T }>[] {
    return this.events.filter(
      (e): e is Extract<RuntimeEvent, { type: T }> =>
        e.type === type && (e.type === 'state' ? e.status.instanceId : e.instanceId) === instanceId,
    );
  }

  /** Wait until the instance's latest state event is `state`. */
  waitForState(instanceId: string, state: InstanceState, timeoutMs?: number): Promise<true> {
    return waitFor(
      `${instanceId} to be ${state} (states so far: ${this.states(instanceId).join(' → ')})`,
      () => this.states(instanceId).at(-1) === state,
      timeoutMs,
    );
  }

  async cleanup(): Promise<void> {
    for (const runtime of this.runtimes) {
      for (const status of runtime.list()) await runtime.stop(status.instanceId).catch(() => undefined);
      await runtime.close();
    }
    for (const p of this.processes) {
      if (!isProcessAlive(p)) continue;
      // Instances lead their own group; a tracked grandchild does not, so kill it by pid too.
      signalGroup(p.pid, 'SIGKILL');
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await waitFor('tracked processes to exit', () => this.processes.every((p) => !isProcessAlive(p)), 10_000);
    if (this.logDir) await rm(this.logDir, { recursive: true, force: true });
  }
}
