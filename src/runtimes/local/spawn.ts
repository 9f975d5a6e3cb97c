import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { InstanceSpec } from '../runtime.js';
import { RuntimeError } from './errors.js';
import { buildInstanceEnv, substitutePort } from './instance-env.js';
import { startHeader } from './log-file.js';
import { readProcStart, type ProcessIdentity } from './process-identity.js';

/** A process this coordinator spawned: the ChildProcess reports (and reaps) its exit. */
export type SpawnedProcess = ProcessIdentity & { pgid: number; port: number; child: ChildProcess };

function checkWorkingDirectory(spec: InstanceSpec): void {
  const where = { instanceId: spec.instanceId, service: spec.service, cwd: spec.cwd };
  let isDirectory: boolean;
  try {
    isDirectory = statSync(spec.cwd).isDirectory();
  } catch {
    throw new RuntimeError('failed', `working directory does not exist: ${spec.cwd} (service ${spec.service})`, where);
  }
  if (!isDirectory)
    throw new RuntimeError(
      'failed',
      `working directory is not a directory: ${spec.cwd} (service ${spec.service})`,
      where,
    );
}

function spawnError(spec: InstanceSpec, err: NodeJS.ErrnoException): RuntimeError {
  const where = { instanceId: spec.instanceId, service: spec.service, command: spec.command };
  if (err.code === 'ENOENT')
    return new RuntimeError('failed', `command not found: ${spec.command} (service ${spec.service})`, where, {
      cause: err,
    });
  if (err.code === 'EACCES') {
    return new RuntimeError('failed', `command is not executable: ${spec.command} (service ${spec.service})`, where, {
      cause: err,
    });
  }
  return new RuntimeError(
    'failed',
    `could not start ${spec.command} (service ${spec.service}): ${err.message}`,
    where,
    { cause: err },
  );
}

/**
 * Spawn the instance detached (its own session and process group, so it outlives the
 * coordinator and can be signalled as a group), stdout and stderr appended to its log file.
 * Resolves once the process is running; rejects with RuntimeError when it cannot be started.
 * `secrets` are added to its environment only: never logged, never part of the spec or handle.
 */
export async function spawnInstance(
  spec: InstanceSpec,
  port: number,
  logFile: string,
  now: number,
  secrets: Record<string, string> = {},
  withheld: ReadonlySet<string> = new Set(),
): Promise<SpawnedProcess> {
  checkWorkingDirectory(spec);
  let logFd: number;
  try {
    mkdirSync(dirname(logFile), { recursive: true });
    // Logs can hold whatever the application prints, secrets included: owner and group only.
    logFd = openSync(logFile, 'a', 0o640);
  } catch (err) {
    throw new RuntimeError(
      'failed',
      `cannot open log file ${logFile} (service ${spec.service}): ${(err as Error).message}`,
      {
        instanceId: spec.instanceId,
        logFile,
      },
    );
  }
  let child: ChildProcess;
  let procStart: number | null = null;
  try {
    try {
      child = spawn(spec.command, substitutePort(spec.args, port), {
        cwd: spec.cwd,
        env: buildInstanceEnv(spec, port, process.env, secrets, withheld),
        detached: true,
        stdio: ['ignore', logFd, logFd],
      });
    } catch (err) {
      // Synchronous throws are bad arguments (e.g. a NUL byte), not a missing command.
      throw new RuntimeError(
        'invalid_input',
        `cannot run ${spec.command} (service ${spec.service}): ${(err as Error).message}`,
        {
          instanceId: spec.instanceId,
        },
      );
    }
    if (child.pid !== undefined) {
      // Read identity and write the header before yielding: the child cannot be reaped (nor its
      // pid reused) until the event loop runs, and it is still booting, so the header comes first.
      procStart = readProcStart(child.pid);
      try {
        writeSync(logFd, startHeader(spec.release, child.pid, port, now));
      } catch {
        // A full disk must not orphan a process we already started; the header is only a marker.
      }
    }
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
  try {
    await once(child, 'spawn');
  } catch (err) {
    throw spawnError(spec, err as NodeJS.ErrnoException);
  }
  const pid = child.pid!;
  child.unref();
  return { pid, pgid: pid, procStart, port, child };
}
