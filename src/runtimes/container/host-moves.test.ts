import { describe, expect, it } from 'vitest';
import { fixtureSpec } from '../../../test/support/local-runtime.js';
import { silentLogger } from '../../shared/logging.js';
import { RuntimeError } from '../local/errors.js';
import type { InstanceSpec, InstanceStatus, RuntimeEvent } from '../runtime.js';
import type { ContainerRuntime } from './container-runtime.js';
import { HostMoves } from './host-moves.js';

/**
 * The bookkeeping of moving instances off a lost host, with stand-ins for the per-host runtimes (the engine side is
 * test/container-ssh-host-failure.test.ts, against real sshd hosts and dockerd). A stand-in can refuse starts, and
 * the clock's sleeps wait until the test lets them end, so a retry happens when the test says.
 */

const lost = 'ssh://deploy@10.0.0.5';
const other = 'ssh://deploy@10.0.0.6';
const why = 'host deploy@10.0.0.5:22 stopped answering (no answer)';

class HostStandIn {
  readonly starts: { spec: InstanceSpec; restarts?: number }[] = [];
  readonly ended: string[] = [];
  refuse = false;
  constructor(readonly running = new Map<string, { status: InstanceStatus; containerId: string }>()) {}
  forget(id: string) {
    const left = this.running.get(id);
    this.running.delete(id);
    return left;
  }
  async start(spec: InstanceSpec, moved: { restarts?: number }) {
    this.starts.push({ spec, restarts: moved.restarts });
    if (this.refuse)
      throw new RuntimeError('unavailable', 'the Docker Engine at ssh://deploy@10.0.0.6 does not answer');
    return { runtime: 'container', address: '10.0.0.6:32768', containerId: `c-${spec.instanceId}` };
  }
  async endStray(containerId: string) {
    this.ended.push(containerId);
  }
}

function setup() {
  const spec = fixtureSpec();
  const status: InstanceStatus = {
    instanceId: spec.instanceId,
    state: 'healthy',
    address: '10.0.0.5:32768',
    restarts: 2,
  };
  const hosts = new Map([
    [lost, new HostStandIn(new Map([[spec.instanceId, { status, containerId: 'left-behind' }]]))],
    [other, new HostStandIn()],
  ]);
  const events: RuntimeEvent[] = [];
  const sleeps: { ms: number; end: () => void }[] = [];
  const down = new Set([lost]);
  const moves = new HostMoves({
    clock: {
      now: () => 1000,
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          sleeps.push({ ms, end: resolve });
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    },
    logger: silentLogger,
    emit: (e) => events.push(e),
    hostsFor: () => [lost, other],
    byLoad: (_spec, urls) => urls.filter((u) => !down.has(u)),
    isDown: (url) => down.has(url),
    opened: (url) => hosts.get(url) as unknown as ContainerRuntime,
    runtimeOf: async (url) => hosts.get(url) as unknown as ContainerRuntime,
    own: () => undefined,
  });
  return { spec, hosts, events, sleeps, down, moves, target: hosts.get(other)! };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

/** The handle of a container adopted on the lost host, after `restarts` restarts. */
const adoptedHandle = (restarts: number) => ({
  runtime: 'container' as const,
  address: '10.0.0.5:32768',
  containerId: 'c0ffee0c0ffee0',
  startedAt: '2026-01-01T00:00:00Z',
  pid: 7,
  restarts,
});

describe('moving instances off a host that stopped answering', () => {
  it('reports the instance down naming the host, starts it on the other host, restarts counted on', async () => {
    const { spec, events, moves, target } = setup();
    moves.hostLost(lost, why, [spec]);
    await settle();
    expect(events[0]).toMatchObject({ type: 'state', status: { state: 'crashed', message: why, restarts: 2 } });
    expect(events[1]).toMatchObject({ type: 'exit', instanceId: spec.instanceId, reason: why, logTail: [] });
    expect(target.starts).toEqual([{ spec, restarts: 3 }]);
    expect(events[2]).toMatchObject({ type: 'handle', handle: { host: other, address: '10.0.0.6:32768' } });
    expect(moves.statuses()).toEqual([]);
  });

  it('no host takes it: listed crashed with why, tried again after the backoff, and it takes then', async () => {
    const { spec, events, sleeps, moves, target } = setup();
    target.refuse = true;
    moves.hostLost(lost, why, [spec]);
    await settle();
    expect(sleeps.map((s) => s.ms)).toEqual([1000]);
    expect(moves.statuses()[0]).toMatchObject({
      state: 'crashed',
      nextRestartAt: 2000,
      message: `${why}; the Docker Engine at ssh://deploy@10.0.0.6 does not answer`,
    });
    target.refuse = false;
    sleeps[0]!.end();
    await settle();
    expect(target.starts).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'handle', handle: { host: other } });
    expect(moves.statuses()).toEqual([]);
  });

  it('stopped while waiting for a host: stopped, and never started anywhere', async () => {
    const { spec, events, sleeps, moves, target } = setup();
    target.refuse = true;
    moves.hostLost(lost, why, [spec]);
    await settle();
    moves.cancel(spec.instanceId);
    sleeps[0]!.end(); // too late: the abort came first
    await settle();
    expect(target.starts).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'state', status: { state: 'stopped' } });
    expect(moves.statuses()).toEqual([]);
  });

  it('the host answers again: the container left there is ended by its id, once', async () => {
    const { spec, hosts, moves } = setup();
    moves.hostLost(lost, why, [spec]);
    await settle();
    moves.hostSeen(lost);
    moves.hostSeen(lost);
    expect(hosts.get(lost)!.ended).toEqual(['left-behind']);
  });

  it('host silent at adopt: down as its handle says, started on the other host, its container ended', async () => {
    const { spec, hosts, events, moves, target } = setup();
    hosts.get(lost)!.running.clear(); // the adopt there re-attached nothing before it failed
    const handle = adoptedHandle(4);
    const adoptWhy = 'host deploy@10.0.0.5:22 did not answer when the coordinator restarted (connection refused)';
    moves.adoptedDown(lost, adoptWhy, [{ spec, handle }]);
    await settle();
    expect(events[0]).toMatchObject({
      type: 'state',
      status: { state: 'crashed', address: '10.0.0.5:32768', restarts: 4, message: adoptWhy },
    });
    expect(events[1]).toMatchObject({ type: 'exit', instanceId: spec.instanceId, reason: adoptWhy });
    expect(target.starts).toEqual([{ spec, restarts: 5 }]);
    expect(events[2]).toMatchObject({ type: 'handle', handle: { host: other } });
    moves.hostSeen(lost);
    expect(hosts.get(lost)!.ended).toEqual(['c0ffee0c0ffee0']);
  });

  it('the adopt there re-attached it before failing: let go of there, that container ended', async () => {
    const { spec, hosts, moves, target } = setup();
    const handle = adoptedHandle(2);
    moves.adoptedDown(lost, why, [{ spec, handle }]);
    moves.adoptedDown(lost, why, [{ spec, handle }]); // adopted again meanwhile: one move, not two
    await settle();
    expect(hosts.get(lost)!.running.size).toBe(0);
    expect(target.starts).toEqual([{ spec, restarts: 3 }]);
    moves.hostSeen(lost);
    expect(hosts.get(lost)!.ended).toEqual(['left-behind']);
  });
});
