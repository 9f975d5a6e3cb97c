import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { alive } from '../../src/traffic/proxy/pid-file.js';

/**
 * One Docker daemon shared by the container tests (and by test files running at the same time): the
 * one at DOCKER_HOST when it answers, else a dockerd the tests start on their own socket. Each user
 * holds a lease (a file named by its pid); the last to leave stops a daemon the tests started, and
 * never one they did not.
 */

const stateDir = '/run/slipway-test-docker';
export const testSocket = `${stateDir}/docker.sock`;
const leases = join(stateDir, 'leases');
const startedMark = join(stateDir, 'started-by-tests');
const pidFile = join(stateDir, 'dockerd.pid');

/** Does the Engine API answer on this socket? */
export function pingEngine(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitUntil(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The daemon the tests use: its socket, and `release` to call when done (stops it if it was the last user). */
export interface TestEngine {
  socketPath: string;
  release(): Promise<void>;
}

/** A Docker Engine for tests: DOCKER_HOST's when it answers, else ours (started if needed). */
export async function useDockerEngine(): Promise<TestEngine> {
  const fromEnv = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : undefined;
  if (fromEnv && (await pingEngine(fromEnv))) return { socketPath: fromEnv, release: async () => undefined };
  mkdirSync(leases, { recursive: true });
  const lease = join(leases, String(process.pid));
  writeFileSync(lease, '');
  try {
    await underLock(async () => {
      if (!(await pingEngine(testSocket))) await startDaemon();
    });
  } catch (e) {
    // A lease left behind would keep the last user from stopping a daemon started later.
    rmSync(lease, { force: true });
    throw e;
  }
  return { socketPath: testSocket, release: () => releaseLease(lease) };
}

/**
 * Starting and stopping happen under one lock (mkdir is atomic): a file that looked while the last user was stopping
 * the daemon found it silent, started another, and that one refused to start while the first still held its pid
 * file ("pid file found"), so the file waited 60 s for nothing (seen in CI).
 */
async function underLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(stateDir, 'starting.lock');
  await waitUntil(
    'the dockerd start lock',
    () => {
      try {
        mkdirSync(lock);
        writeFileSync(join(lock, 'pid'), String(process.pid));
        return true;
      } catch {
        // A holder that died (a test process killed mid-start) leaves its lock: take it back.
        let holder = 0;
        try {
          holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
        } catch {
          // Just made, its pid not written yet (or just released): wait.
        }
        if (holder > 0 && !alive(holder)) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    90_000,
  );
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The pid in the test daemon's pid file, when that process is alive (a daemon running or still shutting down). */
function daemonPid(): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function startDaemon(): Promise<void> {
  if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd'))
    throw new Error('dockerd is not installed: apt-get install -y docker.io (scripts/test.mjs does this)');
  // A daemon that does not answer but still runs (shutting down, or hung) holds the pid file: it goes first.
  const old = daemonPid();
  if (old !== undefined) {
    await waitUntil('the previous dockerd to exit', () => daemonPid() === undefined, 30_000).catch(() => {
      process.kill(old, 'SIGKILL');
    });
    await waitUntil('the previous dockerd to exit', () => daemonPid() === undefined, 10_000);
  }
  rmSync(pidFile, { force: true });
  const log = openSync(join(stateDir, 'dockerd.log'), 'a');
  const daemon = spawn(
    'dockerd',
    [
      `--host=unix://${testSocket}`,
      `--data-root=/var/lib/slipway-test-docker`,
      `--exec-root=${stateDir}/exec`,
      `--pidfile=${pidFile}`,
      '--exec-opt=native.cgroupdriver=cgroupfs',
      // Published loopback ports through iptables DNAT, not docker-proxy: a port with nothing listening
      // behind it refuses the connection, as a local process's would (the health checks tell booting apart).
      '--userland-proxy=false',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  daemon.unref();
  writeFileSync(startedMark, String(daemon.pid));
  let exited: number | null | undefined;
  daemon.once('exit', (code) => {
    exited = code;
  });
  await waitUntil(
    'dockerd to answer',
    () => {
      if (exited !== undefined)
        throw new Error(`dockerd exited (code ${exited}) before answering: see ${join(stateDir, 'dockerd.log')}`);
      return pingEngine(testSocket);
    },
    60_000,
  );
}

async function releaseLease(lease: string): Promise<void> {
  rmSync(lease, { force: true });
  await underLock(async () => {
    const others = readdirSync(leases).filter((name) => alive(Number(name)));
    if (others.length > 0 || !existsSync(startedMark)) return;
    const pid = Number(readFileSync(startedMark, 'utf8'));
    rmSync(startedMark, { force: true });
    if (!Number.isInteger(pid) || !alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    await waitUntil('dockerd to stop', () => !alive(pid), 30_000).catch(() => process.kill(pid, 'SIGKILL'));
  });
}

/** `docker ARGS…` against the test engine, its output trimmed; throws (with the CLI's stderr) when it fails. */
export function dockerOn(engine: TestEngine, ...args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: `unix://${engine.socketPath}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .toString()
    .trim();
}

/** The container of a Slipway instance on the test engine (named slipway-<instance id>), or '' when there is none. */
export const containerOfInstance = (engine: TestEngine, instanceId: string) =>
  dockerOn(engine, 'ps', '-aq', '--filter', `name=^slipway-${instanceId}$`);
