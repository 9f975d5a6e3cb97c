import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { messageOf } from '../../shared/errors.js';
import { parseHostPort } from './address.js';
import { loadAdminToken } from './admin-token.js';
import { ProxyError } from './errors.js';
import { alive, pidFileName, readPidFile, signalProcess, waitForExit, writePidFile, type PidFile } from './pid-file.js';

/**
 * Keeps one proxy process per state dir: reuse the one answering on the admin address, or
 * start `slipway proxy` detached (it outlives the coordinator) and wait until it is healthy.
 */

export interface EnsureProxyOptions {
  /** Loopback host:port of the admin API. */
  admin: string;
  stateDir: string;
  /** stdout and stderr of a started proxy are appended here. */
  logFile: string;
  /** How to start `slipway proxy` (given by the app); `--admin` and `--state-dir` are appended. */
  command: [string, string[]];
  /** How long a started proxy gets to become healthy (default 30 s). */
  startTimeoutMs?: number;
  /** Environment of the started proxy (default process.env). */
  env?: NodeJS.ProcessEnv;
}

interface Health {
  ok: boolean;
  pid: number;
}

/** Reuse the healthy proxy on the admin address or start one; resolves once it answers /healthz. */
export async function ensureProxy(options: EnsureProxyOptions): Promise<{ pid: number; started: boolean }> {
  if (!parseHostPort(options.admin))
    throw new ProxyError('invalid_input', `proxy admin address "${options.admin}" is not host:port`);
  const env = options.env ?? process.env;
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  // Create the token before the proxy starts so both sides read the same file.
  const token = await loadAdminToken(options.stateDir, env);

  const running = await probeHealth(options.admin);
  if (running) {
    await checkSameToken(options.admin, token);
    const recorded = await readPidFile(path.join(options.stateDir, pidFileName));
    if (recorded?.pid !== running.pid)
      await writePidFile(options.stateDir, { pid: running.pid, admin: options.admin, group: false });
    return { pid: running.pid, started: false };
  }

  const { pid, exited } = await startDetached(options, env);
  await writePidFile(options.stateDir, { pid, admin: options.admin, group: true });
  try {
    await waitUntilHealthy(options, pid, exited);
  } catch (e) {
    signalProcess(pid, true, 'SIGKILL');
    await rm(path.join(options.stateDir, pidFileName), { force: true });
    throw e;
  }
  return { pid, started: true };
}

/** Spawn `slipway proxy` in its own process group with output appended to the log file. */
async function startDetached(
  options: EnsureProxyOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ pid: number; exited: Promise<string> }> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const [command, args] = options.command;
  const log = openSync(options.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(command, [...args, '--admin', options.admin, '--state-dir', options.stateDir], {
      detached: true,
      stdio: ['ignore', log, log],
      env,
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.once('error', (e) => resolve(`could not be started: ${e.message}`));
  });
  child.unref();
  if (child.pid === undefined)
    throw new ProxyError(
      'unavailable',
      `could not start the proxy (${command}): ${await exited}${await logTail(options.logFile)}`,
      { logFile: options.logFile },
    );
  return { pid: child.pid, exited };
}

/** Poll /healthz until this pid answers; fail early when it exits, with the tail of its log. */
async function waitUntilHealthy(options: EnsureProxyOptions, pid: number, exited: Promise<string>): Promise<void> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));
  while (Date.now() < deadline) {
    if (exitReason !== undefined) {
      throw new ProxyError(
        'unavailable',
        `the proxy ${exitReason} before it became healthy on ${options.admin}${await logTail(options.logFile)}`,
        { logFile: options.logFile },
      );
    }
    if ((await probeHealth(options.admin))?.pid === pid) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ProxyError(
    'unavailable',
    `the proxy did not become healthy on ${options.admin} within ${timeoutMs} ms${await logTail(options.logFile)}`,
    { logFile: options.logFile },
  );
}

/** SIGTERM the recorded proxy, wait for it, SIGKILL after `timeoutMs` (default 40 s, beyond its drain timeout).
 * Idempotent. */
export async function stopProxy(
  stateDir: string,
  options: { timeoutMs?: number } = {},
): Promise<{ stopped: boolean; pid?: number }> {
  const file = path.join(stateDir, pidFileName);
  const recorded = await readPidFile(file);
  if (!recorded || !alive(recorded.pid) || !(await isOurProxy(recorded, stateDir))) {
    await rm(file, { force: true });
    return { stopped: false };
  }
  const { pid, group } = recorded;
  signalProcess(pid, group, 'SIGTERM');
  if (!(await waitForExit(pid, options.timeoutMs ?? 40_000))) {
    signalProcess(pid, group, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  await rm(file, { force: true });
  return { stopped: true, pid };
}

/** GET /healthz; undefined when nothing (healthy) answers. */
function probeHealth(admin: string, timeoutMs = 1_000): Promise<Health | undefined> {
  const { host, port } = parseHostPort(admin)!;
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/healthz', agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          const body = JSON.parse(text) as Partial<Health>;
          resolve(
            res.statusCode === 200 && body.ok === true && typeof body.pid === 'number'
              ? { ok: true, pid: body.pid }
              : undefined,
          );
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** A proxy of another state dir (other token) on our admin address must not be adopted silently. */
async function checkSameToken(admin: string, token: string): Promise<void> {
  const { host, port } = parseHostPort(admin)!;
  const status = await new Promise<number>((resolve) => {
    const req = http.get(
      { host, port, path: '/routes', agent: false, timeout: 2_000, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
  if (status === 401)
    throw new ProxyError(
      'conflict',
      `a Slipway proxy with a different admin token (another state dir) is running on ${admin}; stop it or choose ` +
        `another admin address`,
      { admin },
    );
  if (status !== 200)
    throw new ProxyError('unavailable', `the proxy on ${admin} answers /healthz but not /routes (HTTP ${status})`, {
      admin,
    });
}

/** Guards against pid reuse: the process must answer our admin API or carry our state dir on its command line. */
async function isOurProxy(recorded: PidFile, stateDir: string): Promise<boolean> {
  if ((await probeHealth(recorded.admin))?.pid === recorded.pid) return true;
  try {
    const cmdline = await readFile(`/proc/${recorded.pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes(path.resolve(stateDir)) || cmdline.split('\0').includes(stateDir);
  } catch {
    return false;
  }
}

/** The last lines of the proxy's log, for start failures. */
async function logTail(logFile: string, bytes = 4_000): Promise<string> {
  try {
    const handle = await open(logFile, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - bytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').trimEnd().split('\n').slice(-15);
      return lines.length > 0 && lines[0] !== '' ? `\n--- last lines of ${logFile} ---\n${lines.join('\n')}` : '';
    } finally {
      await handle.close();
    }
  } catch (e) {
    return `\n(could not read ${logFile}: ${messageOf(e)})`;
  }
}
