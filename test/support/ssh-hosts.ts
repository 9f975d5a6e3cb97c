import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { killTagged, pidsWithEnv } from '../../src/shared/tagged-processes.js';
import { until } from './processes.js';

/**
 * Real OpenSSH servers as "hosts" for the SSH runtime: each its own `sshd -D` on its own loopback
 * address (127.0.0.2, 127.0.0.3, …) and port, with its own host key, directory and user (`slipway-h2` on
 * 127.0.0.2, …: created once when the tests run as root and reused by every later run and file; otherwise the
 * current user). sshd's `SetEnv` tags every process started through it (the supervising shells and
 * the instances) with the host's tag, so a test can pause, kill and clean up one host's processes.
 */
export interface SshTestHost {
  /** ssh://user@127.0.0.N:port/dir */
  url: string;
  /** The user the runtime logs in as (and its instances run as) on this host. */
  user: string;
  address: string;
  port: number;
  /** Where the runtime keeps this host's releases and instances. */
  dir: string;
  hostKeyFile: string;
  /** SIGSTOP the sshd (with its sessions) and every process started through it: the host stops answering. */
  pause(): void;
  /** SIGCONT them all after pause(): the host answers again. */
  resume(): void;
  /** SIGKILL them all: the host is gone. */
  kill(): void;
  /** Restart sshd (same key, port and address) after kill(). */
  restart(): Promise<void>;
  /** Pids of the processes (instances, shells) running on this host. */
  processes(): number[];
}

export interface SshTestHosts {
  hosts: SshTestHost[];
  /** The client key the hosts accept (OpenSSH PEM), as it would come from Slipway's secrets. */
  privateKey: string;
  root: string;
  /** Stop every sshd and every process started through them; remove the directories. */
  stop(): void;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** sshd and the per-connection sshd processes below it. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/**
 * The user of the host on 127.0.0.`octet`: `slipway-h<octet>`, created if missing (no password, so key login only;
 * /bin/sh, so no ~/.bashrc runs; a home of its own) and kept for the next run — test files running side by side share
 * it, so none may delete it. Not root: the current user, as before.
 */
function hostUser(octet: number): { name: string; uid: number; gid: number } {
  const me = userInfo();
  if (process.getuid?.() !== 0) return { name: me.username, uid: me.uid, gid: me.gid };
  const name = `slipway-h${octet}`;
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: 'pipe' }));
  const lookup = () => {
    try {
      return { name, uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined; // no such user (yet)
    }
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = lookup();
    if (found) return found;
    try {
      execFileSync('useradd', ['-m', '-d', `/home/${name}`, '-s', '/bin/sh', '-p', '*', '-U', name], { stdio: 'pipe' });
    } catch {
      // Another test file created it meanwhile, or holds the lock on /etc/passwd: look again.
      execFileSync('sleep', ['0.1']);
    }
  }
  throw new Error(`could not create the test host user ${name}`);
}

/** Unmount a test's tmpfs; lazily when a process still holds it (it goes once that process does). */
function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/**
 * Start `count` sshd hosts on 127.0.0.2 onwards (`firstOctet` picks the first address). With `tmpfs` (mount options,
 * e.g. `size=4m,nr_inodes=200`; root only) each host's directory is a small tmpfs of its own: a disk that fills up.
 * stop() unmounts it. `env` is set for every command run through the hosts (e.g. DOCKER_HOST).
 */
export async function startSshHosts(
  count: number,
  firstOctet = 2,
  options: { tmpfs?: string; env?: Record<string, string> } = {},
): Promise<SshTestHosts> {
  const root = mkdtempSync(join(tmpdir(), 'slipway-sshd-'));
  chmodSync(root, 0o755); // each host's user reads the authorized keys and reaches its directory
  // sshd run as root needs its privilege separation directory (Debian's service creates it at boot).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'client_key')]);
  writeFileSync(join(root, 'authorized_keys'), readFileSync(join(root, 'client_key.pub')));
  const hosts: SshTestHost[] = [];
  const daemons: { child: ChildProcess | undefined; tag: string }[] = [];
  const mounts: string[] = [];
  const stop = () => {
    try {
      for (const d of daemons) {
        if (d.child?.pid) signalAll(tree(d.child.pid), 'SIGKILL');
        killTagged('SLIPWAY_TEST_HOST', d.tag);
      }
    } finally {
      for (const dir of mounts.splice(0)) unmount(dir);
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    for (let i = 0; i < count; i++) {
      const address = `127.0.0.${firstOctet + i}`;
      const user = hostUser(firstOctet + i);
      const port = await freePort(address);
      const home = join(root, `host${i + 1}`);
      mkdirSync(home, { mode: 0o755 });
      mkdirSync(join(home, 'slipway'));
      if (options.tmpfs) {
        const owner = `uid=${user.uid},gid=${user.gid}`;
        execFileSync('mount', [
          '-t',
          'tmpfs',
          '-o',
          `${options.tmpfs},mode=0755,${owner}`,
          'tmpfs',
          join(home, 'slipway'),
        ]);
        mounts.push(join(home, 'slipway'));
      } else chownSync(join(home, 'slipway'), user.uid, user.gid);
      const hostKeyFile = join(home, 'ssh_host_ed25519_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyFile]);
      const tag = `${address}-${port}`;
      const config = join(home, 'sshd_config');
      writeFileSync(
        config,
        [
          `ListenAddress ${address}:${port}`,
          `HostKey ${hostKeyFile}`,
          `AuthorizedKeysFile ${join(root, 'authorized_keys')}`,
          'StrictModes no',
          'UsePAM no',
          `PidFile ${join(home, 'sshd.pid')}`,
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PermitRootLogin prohibit-password',
          // SHLVL=1: bash skips ~/.bashrc for ssh commands; this machine's runs `pyenv init`, whose rehash lock
          // stalls every login for a minute once a killed session leaves it behind.
          `SetEnv SLIPWAY_TEST_HOST=${tag} SHLVL=1${Object.entries(options.env ?? {})
            .map(([k, v]) => ` ${k}=${v}`)
            .join('')}`,
          'Subsystem sftp internal-sftp',
          'MaxSessions 100',
          'MaxStartups 100:30:200',
          '',
        ].join('\n'),
      );
      const daemon = { child: undefined as ChildProcess | undefined, tag };
      daemons.push(daemon);
      const launch = async () => {
        const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let log = '';
        child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
        daemon.child = child;
        await until(
          `sshd on ${address}:${port}`,
          async () => {
            if (child.exitCode !== null) throw new Error(`sshd exited: ${log}`);
            return new Promise<boolean>((resolve) => {
              const s = connect({ host: address, port }, () => {
                s.destroy();
                resolve(true);
              });
              s.on('error', () => resolve(false));
            });
          },
          10_000,
          50,
        );
      };
      await launch();
      const processes = () => pidsWithEnv('SLIPWAY_TEST_HOST', tag);
      hosts.push({
        url: `ssh://${user.name}@${address}:${port}${join(home, 'slipway')}`,
        user: user.name,
        address,
        port,
        dir: join(home, 'slipway'),
        hostKeyFile,
        processes,
        pause: () => signalAll([...(daemon.child?.pid ? tree(daemon.child.pid) : []), ...processes()], 'SIGSTOP'),
        resume: () => signalAll([...(daemon.child?.pid ? tree(daemon.child.pid) : []), ...processes()], 'SIGCONT'),
        kill: () => {
          const pids = [...(daemon.child?.pid ? tree(daemon.child.pid) : []), ...processes()];
          signalAll(pids, 'SIGKILL');
          signalAll(pids, 'SIGCONT');
        },
        restart: launch,
      });
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { hosts, privateKey: readFileSync(join(root, 'client_key'), 'utf8'), root, stop };
}
