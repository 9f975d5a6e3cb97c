import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { withheldEnv } from '../runtimes/local/instance-env.js';
import { formatDuration } from '../shared/duration.js';
import { OutputTail } from './output-tail.js';
import type { GateResult } from '../model/gate-result.js';
import type { CommandGateConfig } from '../config/model.js';

/**
 * A command gate as configured, with {version} already filled in its args and cwd. `env` is set
 * over the coordinator's environment (minus Slipway's secrets).
 */
export type CommandGateSpec = CommandGateConfig;

/** After SIGTERM to the group, this long before SIGKILL; and how long leftover children may hold the pipes after the
 * command exits. */
const graceMs = 1000;

/**
 * Run a command gate without a shell, in its own process group, so a timeout (or an abort) kills
 * everything it started. Passes on exit status 0. Never throws: a program that cannot start is
 * an `error` result naming it.
 *
 * @example
 * const r = await runCommandGate({ name: 'tests', command: 'npm', args: ['test'], cwd: '/app', timeoutMs: 300_000, env:
 * {} });
 * if (r.outcome !== 'pass') console.log(r.message, r.outputTail);
 */
export async function runCommandGate(
  spec: CommandGateSpec,
  options: { signal?: AbortSignal; parentEnv?: NodeJS.ProcessEnv } = {},
): Promise<GateResult> {
  const started = Date.now();
  const base = { name: spec.name, kind: 'command' as const };
  const what = [spec.command, ...spec.args].join(' ');
  const cwdProblem = await stat(spec.cwd).then(
    (s) => (s.isDirectory() ? undefined : 'is not a directory'),
    () => 'does not exist',
  );
  if (cwdProblem) {
    return {
      ...base,
      outcome: 'error',
      message: `gate "${spec.name}": working directory ${spec.cwd} ${cwdProblem}`,
      durationMs: 0,
      detail: { command: spec.command, cwd: spec.cwd },
    };
  }

  const tail = new OutputTail();
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: gateEnv(spec.env, options.parentEnv),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => tail.push(c));
  child.stderr.on('data', (c: Buffer) => tail.push(c));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };

  let stoppedBy: 'timeout' | 'abort' | undefined;
  const stop = (why: 'timeout' | 'abort') => {
    if (stoppedBy || child.exitCode !== null || child.signalCode !== null) return;
    stoppedBy = why;
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), graceMs).unref();
  };
  const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
  const onAbort = () => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { spawnError: Error }>(
    (resolve) => {
      child.once('error', (e) => resolve({ spawnError: e }));
      child.once('exit', (code, signal) => {
        // Output may still be in the pipes, or a background child may hold them open: wait a little, then end the
        // group.
        const done = () => resolve({ code, signal });
        const late = setTimeout(() => {
          killGroup('SIGKILL');
          done();
        }, graceMs);
        child.once('close', () => {
          clearTimeout(late);
          done();
        });
      });
    },
  );
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  const durationMs = Date.now() - started;
  const outputTail = tail.text();

  if ('spawnError' in ended) {
    const code = (ended.spawnError as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `program "${spec.command}" not found (on PATH or relative to ${spec.cwd})`
        : ended.spawnError.message;
    return {
      ...base,
      outcome: 'error',
      message: `gate "${spec.name}" could not start: ${reason}`,
      durationMs,
      detail: { command: spec.command, cwd: spec.cwd },
    };
  }
  const detail = {
    command: what,
    cwd: spec.cwd,
    ...(ended.signal ? { signal: ended.signal } : {}),
    ...(stoppedBy === 'timeout' ? { timedOut: true, timeoutMs: spec.timeoutMs } : {}),
  };
  const exit = ended.code === null ? {} : { exitCode: ended.code };
  if (stoppedBy === 'timeout') {
    return {
      ...base,
      outcome: 'fail',
      message:
        `gate "${spec.name}" timed out after ${formatDuration(spec.timeoutMs)} (${what}); its processes were ` +
        `killed`,
      durationMs,
      outputTail,
      detail,
    };
  }
  if (stoppedBy === 'abort') {
    return {
      ...base,
      outcome: 'error',
      message: `gate "${spec.name}" was interrupted (${what})`,
      durationMs,
      outputTail,
      detail,
    };
  }
  if (ended.code === 0)
    return {
      ...base,
      outcome: 'pass',
      message: `gate "${spec.name}" passed (${what})`,
      durationMs,
      exitCode: 0,
      outputTail,
      detail,
    };
  const how = ended.code === null ? `was killed by ${ended.signal}` : `exited with status ${ended.code}`;
  return {
    ...base,
    outcome: 'fail',
    message: `gate "${spec.name}" failed: ${what} ${how}`,
    durationMs,
    ...exit,
    outputTail,
    detail,
  };
}

/** The coordinator's environment without Slipway's own secrets, then the gate's variables. */
function gateEnv(extra: Record<string, string>, parentEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parentEnv))
    if (value !== undefined && !withheldEnv.includes(key)) env[key] = value;
  return { ...env, ...extra };
}
