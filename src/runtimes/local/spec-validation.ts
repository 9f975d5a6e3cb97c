import { isAbsolute } from 'node:path';
import type { InstanceSpec } from '../runtime.js';
import { RuntimeError } from './errors.js';

// These names become path segments of the log file: no separators, no "..", nothing hidden.
const pathSafeName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function invalid(spec: InstanceSpec, field: string, problem: string): RuntimeError {
  return new RuntimeError('invalid_input', `instance ${spec.instanceId ?? '?'}: ${field} ${problem}`, {
    instanceId: spec.instanceId,
    field,
  });
}

function positiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** Reject a spec the local runtime cannot run safely, naming the field; returns it unchanged. */
export function validateSpec(spec: InstanceSpec): InstanceSpec {
  for (const field of ['instanceId', 'service', 'environment', 'project'] as const) {
    const value = spec[field];
    if (typeof value !== 'string' || !pathSafeName.test(value)) {
      throw invalid(spec, field, `must be letters, digits, ".", "_" or "-" (got ${JSON.stringify(value)})`);
    }
  }
  if (typeof spec.release !== 'string' || spec.release === '')
    throw invalid(spec, 'release', 'must be a non-empty string');
  if (typeof spec.command !== 'string' || spec.command === '')
    throw invalid(spec, 'command', 'must be a non-empty string');
  if (!Array.isArray(spec.args) || spec.args.some((a) => typeof a !== 'string'))
    throw invalid(spec, 'args', 'must be a list of strings');
  if (typeof spec.cwd !== 'string' || !isAbsolute(spec.cwd))
    throw invalid(spec, 'cwd', `must be an absolute path (got ${JSON.stringify(spec.cwd)})`);
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (typeof value !== 'string') throw invalid(spec, `env.${key}`, 'must be a string');
    if (key === '' || key.includes('=') || key.includes('\0'))
      throw invalid(spec, `env.${key}`, 'is not a valid variable name');
  }
  const h = spec.health;
  if (!h || typeof h.path !== 'string' || !h.path.startsWith('/'))
    throw invalid(spec, 'health.path', 'must start with "/"');
  for (const field of ['intervalMs', 'timeoutMs', 'healthyThreshold', 'unhealthyThreshold'] as const) {
    if (!positiveInteger(h[field])) throw invalid(spec, `health.${field}`, 'must be a positive number');
  }
  if (typeof spec.drainTimeoutMs !== 'number' || !(spec.drainTimeoutMs >= 0))
    throw invalid(spec, 'drainTimeoutMs', 'must be zero or more');
  return spec;
}
