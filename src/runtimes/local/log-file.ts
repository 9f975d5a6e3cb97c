import { join } from 'node:path';
import type { InstanceSpec } from '../runtime.js';

/** Where an instance's stdout and stderr go: `<logDir>/<environment>/<service>/<instanceId>.log`. */
export function instanceLogFile(
  logDir: string,
  spec: Pick<InstanceSpec, 'environment' | 'service' | 'instanceId'>,
): string {
  return join(logDir, spec.environment, spec.service, `${spec.instanceId}.log`);
}

/** The line written before each (re)start, so restarts are visible when reading the log. */
export function startHeader(release: string, pid: number, port: number, at: number): string {
  return `--- slipway: starting ${release} pid ${pid} port ${port} at ${new Date(at).toISOString()} ---\n`;
}
