import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceSpec, InstanceStatus, RuntimeEvent } from '../runtime.js';
import type { ContainerHandle } from './container-handle.js';
import type { ContainerRuntime } from './container-runtime.js';

/** What moving instances off a lost host needs of {@link HostContainers}. */
export interface HostMovesContext {
  clock: Clock;
  logger: Logger;
  emit(event: RuntimeEvent): void;
  hostsFor(spec: InstanceSpec): string[];
  /** The hosts to try, best first: answering ones, fewest instances of the spec's service first. */
  byLoad(spec: InstanceSpec, hosts: string[]): string[];
  isDown(url: string): boolean;
  /** The runtime of a host, if it was opened already. */
  opened(url: string): ContainerRuntime | undefined;
  runtimeOf(url: string): Promise<ContainerRuntime>;
  /** The instance is on this host from now on (placement counts it there, stop goes there). */
  own(url: string, spec: InstanceSpec): void;
}

/** What an instance left on the lost host: its last status, and the container to end when the host answers again. */
interface Left {
  status: InstanceStatus;
  containerId: string | undefined;
}

/** An instance moving off a host that stopped answering: its status until another host takes it. */
interface Move {
  status: InstanceStatus;
  /** The line naming the lost host. */
  why: string;
  /** Aborted when the move ends without a host (stop, close): no further attempt. */
  ended: AbortController;
}

/**
 * Instances of a host whose engine stopped answering, as the SSH runtime treats its processes: each counts as down
 * (a `crashed` state and an `exit` event whose reason names the host), then starts on another of its hosts with its
 * restart count carried on, or again later when none takes it. A host found not answering when a restarted
 * coordinator adopts is the same (adoptedDown). The containers they left behind are ended when the host answers
 * again — by container id, not name, so a container of the same name on another engine is never hit.
 */
export class HostMoves {
  private readonly moving = new Map<string, Move>();
  /** Containers left on a host that stopped answering, by host url. */
  private readonly strays = new Map<string, string[]>();

  constructor(private readonly ctx: HostMovesContext) {}

  has(instanceId: string): boolean {
    return this.moving.has(instanceId);
  }

  /** The status of every instance on its way to another host. */
  statuses(): InstanceStatus[] {
    return [...this.moving.values()].map((m) => m.status);
  }

  /** The status of one instance on its way to another host, if it is. */
  statusOf(instanceId: string): InstanceStatus | undefined {
    return this.moving.get(instanceId)?.status;
  }

  /** The host's engine stopped answering: these instances on it count down and start elsewhere. */
  hostLost(url: string, why: string, specs: InstanceSpec[]): void {
    this.ctx.logger.warn({ host: url }, why);
    for (const spec of specs) {
      if (this.moving.has(spec.instanceId)) continue;
      const left = this.ctx.opened(url)?.forget(spec.instanceId);
      if (left) this.moveOff(spec, url, why, left);
    }
  }

  /**
   * The host did not answer when a restarted coordinator adopted these instances on it: the same as a host lost now.
   * Whatever that adopt re-attached before it failed is let go of (nothing supervised there twice); the rest is known
   * from its handle alone. The recorded containers are ended when the host answers again.
   */
  adoptedDown(url: string, why: string, records: { spec: InstanceSpec; handle: ContainerHandle }[]): void {
    this.ctx.logger.warn({ host: url }, why);
    for (const { spec, handle } of records) {
      if (this.moving.has(spec.instanceId)) continue;
      const adopted = this.ctx.opened(url)?.forget(spec.instanceId);
      const status: InstanceStatus = adopted?.status ?? {
        instanceId: spec.instanceId,
        state: 'crashed',
        address: handle.address,
        restarts: handle.restarts,
      };
      this.moveOff(spec, url, why, { status, containerId: adopted?.containerId ?? handle.containerId });
    }
  }

  /** The host answers again: end the containers that instances which moved away left running there. */
  hostSeen(url: string): void {
    const left = this.strays.get(url);
    if (!left) return;
    this.strays.delete(url);
    for (const containerId of left) {
      this.ctx.logger.warn({ host: url, containerId }, 'ending a container whose instance moved off this host');
      void this.ctx
        .opened(url)
        ?.endStray(containerId)
        .catch(() => undefined);
    }
  }

  /** stop(): its move ends here (a start under way on the next host is the caller's to wait for and stop). */
  cancel(instanceId: string): void {
    const move = this.moving.get(instanceId);
    if (!move) return;
    move.ended.abort();
    this.moving.delete(instanceId);
    this.ctx.emit({ type: 'state', status: { ...move.status, state: 'stopped', nextRestartAt: undefined } });
  }

  close(): void {
    for (const move of this.moving.values()) move.ended.abort();
    this.moving.clear();
  }

  private moveOff(spec: InstanceSpec, url: string, why: string, left: Left): void {
    const id = spec.instanceId;
    if (left.containerId) this.strays.set(url, [...(this.strays.get(url) ?? []), left.containerId]);
    const exit = { code: null, signal: null, at: this.ctx.clock.now() };
    const status: InstanceStatus = { ...left.status, state: 'crashed', pid: undefined, lastExit: exit, message: why };
    const move: Move = { status, why, ended: new AbortController() };
    this.moving.set(id, move);
    this.ctx.emit({ type: 'state', status });
    // Its log is on the host that does not answer: no tail.
    this.ctx.emit({ type: 'exit', instanceId: id, exit, logTail: [], reason: why });
    this.attempt(spec, move, url, 0);
  }

  /** One round of startElsewhere; a bug in it is logged, never an unhandled rejection. */
  private attempt(spec: InstanceSpec, move: Move, lost: string, n: number): void {
    this.startElsewhere(spec, move, lost, n).catch((err) =>
      this.ctx.logger.error({ err: messageOf(err), instanceId: spec.instanceId }, 'moving the instance failed'),
    );
  }

  /** Try the answering hosts, fewest instances first; none takes it: again later, backing off as a restart does. */
  private async startElsewhere(spec: InstanceSpec, move: Move, lost: string, attempt: number): Promise<void> {
    const id = spec.instanceId;
    const problems: string[] = [];
    for (const url of this.ctx.byLoad(spec, this.ctx.hostsFor(spec))) {
      if (this.moving.get(id) !== move) return;
      if (url === lost && this.ctx.isDown(url)) continue;
      this.ctx.own(url, spec);
      try {
        const handle = await (await this.ctx.runtimeOf(url)).start(spec, { restarts: move.status.restarts + 1 });
        if (this.moving.get(id) !== move) return; // stopped meanwhile: stop() waited for this start and ended it
        this.moving.delete(id);
        this.ctx.logger.info({ instanceId: id, host: url, address: handle.address }, 'moved instance to another host');
        this.ctx.emit({ type: 'handle', instanceId: id, handle: { ...handle, host: url } });
        return;
      } catch (err) {
        problems.push(messageOf(err));
      }
    }
    if (this.moving.get(id) !== move) return;
    const delayMs = Math.min(1000 * 2 ** attempt, 30_000);
    const message = `${move.why}; ${problems.length > 0 ? problems.join('; ') : 'no other host answers'}`;
    move.status = { ...move.status, nextRestartAt: this.ctx.clock.now() + delayMs, message };
    this.ctx.emit({ type: 'state', status: move.status });
    this.ctx.clock.sleep(delayMs, move.ended.signal).then(
      () => this.attempt(spec, move, lost, attempt + 1),
      () => undefined, // stopped or closed meanwhile
    );
  }
}
