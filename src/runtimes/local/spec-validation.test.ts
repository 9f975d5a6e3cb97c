import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '../runtime.js';
import { parseLocalHandle } from './handle.js';
import { validateSpec } from './spec-validation.js';

const valid: InstanceSpec = {
  instanceId: 'ins_1',
  project: 'demo',
  service: 'quote',
  environment: 'prod',
  release: 'v1',
  command: 'node',
  args: ['server.js'],
  cwd: '/srv/quote',
  env: { A: 'b' },
  health: { path: '/health', intervalMs: 1000, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 3 },
  drainTimeoutMs: 0,
};

describe('validateSpec', () => {
  it('accepts a sound spec', () => {
    expect(validateSpec(valid)).toBe(valid);
  });

  it.each([
    [{ instanceId: '../x' }, 'instance ../x: instanceId must be letters'],
    [{ environment: 'a/b' }, 'environment must be letters'],
    [{ service: '.hidden' }, 'service must be letters'],
    [{ cwd: 'relative/dir' }, 'cwd must be an absolute path (got "relative/dir")'],
    [{ command: '' }, 'command must be a non-empty string'],
    [{ args: ['ok', 3] }, 'args must be a list of strings'],
    [{ env: { 'A=B': 'x' } }, 'env.A=B is not a valid variable name'],
    [{ health: { ...valid.health, path: 'health' } }, 'health.path must start with "/"'],
    [{ health: { ...valid.health, intervalMs: 0 } }, 'health.intervalMs must be a positive number'],
    [{ drainTimeoutMs: -1 }, 'drainTimeoutMs must be zero or more'],
  ])('rejects %j', (change, message) => {
    expect(() => validateSpec({ ...valid, ...change } as InstanceSpec)).toThrow(message);
  });
});

describe('parseLocalHandle', () => {
  const handle = {
    runtime: 'local',
    address: '127.0.0.1:4000',
    pid: 1234,
    pgid: 1234,
    port: 4000,
    procStart: 99,
    logFile: '/l/x.log',
    restarts: 2,
  };

  it('reads back what the runtime handed out', () => {
    expect(parseLocalHandle(handle, 'ins_1')).toEqual(handle);
    expect(parseLocalHandle({ ...handle, restarts: undefined, procStart: undefined }, 'ins_1')).toMatchObject({
      restarts: 0,
      procStart: null,
    });
  });

  it.each([
    [{ runtime: 'kubernetes' }, 'instance ins_1: handle runtime is "kubernetes", not "local"'],
    [{ pid: 1 }, 'handle pid must be a process id'],
    [{ pgid: '12' }, 'handle pgid must be a process group id'],
    [{ port: 70000 }, 'handle port must be a TCP port'],
    [{ procStart: 'x' }, 'handle procStart must be a number or null'],
    [{ logFile: '' }, 'handle logFile must be a path'],
  ])('rejects %j', (change, message) => {
    expect(() => parseLocalHandle({ ...handle, ...change } as typeof handle, 'ins_1')).toThrow(message);
  });
});
