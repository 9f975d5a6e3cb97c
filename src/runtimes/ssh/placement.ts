import { connect } from 'node:net';
import { RuntimeError } from '../local/errors.js';
import type { InstanceSpec } from '../runtime.js';
import type { RemoteHost } from './remote-host.js';
import type { SshInstance } from './ssh-instance.js';

/**
 * Where an instance (re)starts: `previous` while it answers, else the answering host with the fewest
 * instances of the same service and environment, so `instances: 3` on three hosts is one per host
 * and a lost host's instances spread over the others.
 */
export function placeInstance(
  spec: InstanceSpec,
  hosts: RemoteHost[],
  up: RemoteHost[],
  instances: SshInstance[],
  previous?: RemoteHost,
): RemoteHost {
  if (previous && up.includes(previous)) return previous;
  if (up.length === 0)
    throw new RuntimeError(
      'unavailable',
      `no host of ${spec.service} in ${spec.environment} answers (${hosts.map((h) => h.label).join(', ')})`,
      { instanceId: spec.instanceId },
    );
  const load = (h: RemoteHost) =>
    instances.filter(
      (i) =>
        i.isActive() &&
        i.hostLabel() === h.label &&
        i.spec.service === spec.service &&
        i.spec.environment === spec.environment &&
        i.spec.instanceId !== spec.instanceId,
    ).length;
  return up.reduce((best, h) => (load(h) < load(best) ? h : best));
}

/** Whether something answers on host:port (seen from here, as the proxy will connect). */
function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A random port in `range` that no other instance of ours holds on the host and nothing listens on. */
export async function allocateHostPort(
  host: RemoteHost,
  instanceId: string,
  instances: Map<string, SshInstance>,
  range: { from: number; to: number },
): Promise<number> {
  const held = new Set<number>();
  for (const [id, instance] of instances) {
    const h = instance.held();
    if (id !== instanceId && h?.host === host.label) held.add(h.port);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = range.from + Math.floor(Math.random() * (range.to - range.from + 1));
    if (!held.has(port) && !(await portTaken(host.address.host, port))) return port;
  }
  throw new RuntimeError('unavailable', `host ${host.label}: no free port between ${range.from} and ${range.to}`);
}
