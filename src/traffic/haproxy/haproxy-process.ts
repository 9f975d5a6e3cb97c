import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdir, open, readFile, rm } from 'node:fs/promises';
import { missingBinary } from './config-check.js';
import { HaproxyError } from './errors.js';
import { checkCandidate, configFile, logFile, masterSocket, pidFile, readState, writeStateDir } from './files.js';
import { MasterCli } from './master-cli.js';

/** Where HAProxy is and where its state lives. */
export interface HaproxyProcessOptions {
  stateDir: string;
  /** Default /usr/sbin/haproxy (Debian's). */
  binary?: string;
  /** Bytes of the sample ring per worker (default 8 MiB). */
  ringBytes?: number;
}

export const defaultBinary = '/usr/sbin/haproxy';
export const defaultRingBytes = 8 * 1024 * 1024;

/** A running master-worker haproxy this process started. */
export interface HaproxyProcess {
  /** The master's pid. */
  pid: number;
  /** Soft stop (requests in flight finish), then SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the master exits. */
  exited: Promise<void>;
}

// sun_path is 108 bytes on Linux; a longer socket path fails with a confusing error deep in haproxy.
const maxSocketPath = 107;

/**
 * Start haproxy in master-worker mode (-W) with its master CLI on `<stateDir>/master.sock`, serving the
 * configuration saved in the state dir (an empty one for a new dir). It runs detached, so it keeps serving
 * when this process exits; the router attaches to it through the socket alone. Resolves once a worker runs.
 */
export async function startHaproxy(options: HaproxyProcessOptions): Promise<HaproxyProcess> {
  const binary = options.binary ?? defaultBinary;
  const dir = options.stateDir;
  const socket = masterSocket(dir);
  if (socket.length > maxSocketPath)
    throw new HaproxyError(
      'invalid_input',
      `the HAProxy state dir ${dir} is too long for a unix socket path (${socket})`,
    );
  await access(binary).catch((e: NodeJS.ErrnoException) => {
    throw missingBinary(binary, e);
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const where = { dir, ringBytes: options.ringBytes ?? defaultRingBytes };
  const state = await readState(dir);
  await checkCandidate(binary, where, state);
  await writeStateDir(where, state);
  await rm(socket, { force: true });
  const log = await open(logFile(dir), 'a', 0o600);
  // Only this start's lines explain its failure (the log is appended to across starts).
  const logStart = (await log.stat()).size;
  let child: ChildProcess;
  try {
    child = spawn(binary, ['-W', '-S', `${socket},mode,600`, '-f', configFile(dir), '-p', pidFile(dir)], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
  } finally {
    await log.close();
  }
  child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const cli = new MasterCli(socket, 1_000);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (gone) throw await startFailure(dir, binary, logStart);
    if (
      await cli.processes().then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new HaproxyError('unavailable', `haproxy did not open its master socket ${socket} within 15 s`, { socket });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    pid,
    exited,
    async stop(graceMs = 10_000) {
      if (gone) return;
      child.kill('SIGUSR1');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startFailure(dir: string, binary: string, from: number): Promise<HaproxyError> {
  const log = (await readFile(logFile(dir)).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
  const last = log
    .trim()
    .split('\n')
    .filter((l) => /ALERT/.test(l))
    .slice(-2)
    .join(' | ');
  return new HaproxyError('unavailable', `${binary} exited while starting: ${last || `see ${logFile(dir)}`}`, { dir });
}
