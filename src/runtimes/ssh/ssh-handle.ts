import type { InstanceHandle } from '../runtime.js';
import { RuntimeError } from '../local/errors.js';
import type { RemoteHost } from './remote-host.js';

/** What the engine persists for an instance on an SSH host; enough to find (and verify) it again. */
export type SshHandle = InstanceHandle & {
  runtime: 'ssh';
  /** host:port the instance listens on (the host's own address). */
  address: string;
  /** The host, as `user@host:sshPort` (HostAddress.label). */
  host: string;
  port: number;
  pid: number;
  /** The process's start time on its host (/proc), so a reused pid is never taken for it. */
  procStart: string;
  restarts: number;
};

export function sshHandle(
  host: RemoteHost,
  run: { pid: number; procStart: string; port: number },
  restarts: number,
): SshHandle {
  return {
    runtime: 'ssh',
    address: `${host.address.host}:${run.port}`,
    host: host.label,
    port: run.port,
    pid: run.pid,
    procStart: run.procStart,
    restarts,
  };
}

/** Check a handle the engine gives back; names the instance and field that is wrong. */
export function parseSshHandle(handle: InstanceHandle, instanceId: string): SshHandle {
  const bad = (field: string, problem: string) =>
    new RuntimeError('invalid_input', `instance ${instanceId}: handle ${field} ${problem}`, { instanceId, field });
  if (handle.runtime !== 'ssh') throw bad('runtime', `is ${JSON.stringify(handle.runtime)}, not "ssh"`);
  if (typeof handle.host !== 'string' || handle.host === '') throw bad('host', 'must name a host');
  const { pid, port } = handle;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 2) throw bad('pid', 'must be a process id');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw bad('port', 'must be a TCP port');
  if (typeof handle.procStart !== 'string') throw bad('procStart', 'must be a string');
  const restarts = typeof handle.restarts === 'number' && handle.restarts >= 0 ? handle.restarts : 0;
  return { ...handle, runtime: 'ssh', host: handle.host, pid, port, procStart: handle.procStart, restarts };
}
