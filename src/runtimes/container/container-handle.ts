import type { InstanceHandle } from '../runtime.js';
import { RuntimeError } from '../local/errors.js';

/** What the engine persists for an instance in a container; enough to find (and verify) it again. */
export type ContainerHandle = InstanceHandle & {
  runtime: 'container';
  /** The published host address (a loopback address by default) and port. */
  address: string;
  containerId: string;
  /** The engine's State.StartedAt of this run: a restarted container is never taken for the run recorded. */
  startedAt: string;
  /** The container's init process on this machine. */
  pid: number;
  restarts: number;
};

/** Check a handle the engine gives back; names the instance and field that is wrong. */
export function parseContainerHandle(handle: InstanceHandle, instanceId: string): ContainerHandle {
  const bad = (field: string, problem: string) =>
    new RuntimeError('invalid_input', `instance ${instanceId}: handle ${field} ${problem}`, { instanceId, field });
  if (handle.runtime !== 'container') throw bad('runtime', `is ${JSON.stringify(handle.runtime)}, not "container"`);
  if (typeof handle.containerId !== 'string' || !/^[0-9a-f]{12,64}$/.test(handle.containerId))
    throw bad('containerId', 'must be a container id');
  if (typeof handle.startedAt !== 'string') throw bad('startedAt', 'must be a string');
  if (typeof handle.address !== 'string' || !/^[^\s:]+:\d+$/.test(handle.address))
    throw bad('address', 'must be host:port');
  const pid = typeof handle.pid === 'number' ? handle.pid : 0;
  const restarts = typeof handle.restarts === 'number' && handle.restarts >= 0 ? handle.restarts : 0;
  return {
    ...handle,
    runtime: 'container',
    containerId: handle.containerId,
    startedAt: handle.startedAt,
    pid,
    restarts,
  };
}
