import { constants } from 'node:os';
import { RuntimeError } from '../local/errors.js';
import type { LogFiles } from '../local/log-reader.js';
import type { HostAddress } from './host-address.js';
import { HostConnection, type HostConnectionOptions } from './host-connection.js';
import { hostScript, hostScriptVersion } from './host-script.js';
import { launchFiles, type Launch } from './launch-script.js';
import { remoteLogFiles } from './remote-log-files.js';
import { contentHash, shipRelease } from './release-archive.js';
import { shellLine } from '../../shared/shell-quote.js';

/** An instance process on a host, as `slipway-host status` reports it. */
export interface RemoteProcess {
  pid: number;
  procStart: string;
  alive: boolean;
  /** Exit code, once the process ended (from its supervising shell); null while running or unknown. */
  exitCode: number | null;
}

/** The signal behind an exit status of 128+n, as sh's `wait` reports a killed child. */
export function signalOfStatus(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  return Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null;
}

/**
 * One SSH host as the runtime uses it: the host script installed once, releases shipped once,
 * instances launched, signalled and listed through the script's fixed commands.
 */
export class RemoteHost {
  readonly connection: HostConnection;
  readonly script: string;
  readonly logs: LogFiles;
  private prepared: Promise<void> | undefined;
  /** Ships under way, by release hash: instances started together share one (two would unpack into the same .tmp). */
  private readonly shipping = new Map<string, Promise<string>>();

  constructor(
    readonly address: HostAddress,
    options: HostConnectionOptions,
  ) {
    this.connection = new HostConnection(address, options);
    this.script = `${address.dir}/bin/slipway-host-v${hostScriptVersion}`;
    this.logs = remoteLogFiles(this.connection);
  }

  get label(): string {
    return this.address.label;
  }

  runDir(instanceId: string): string {
    return `${this.address.dir}/run/${instanceId}`;
  }

  logFile(instanceId: string): string {
    return `${this.runDir(instanceId)}/log`;
  }

  /** Create Slipway's directories and install the host script (a new file per version: running shells keep theirs). */
  prepare(): Promise<void> {
    this.prepared ??= (async () => {
      const d = this.address.dir;
      await this.run(['mkdir', '-p', `${d}/bin`, `${d}/releases`, `${d}/run`], 'create its directories');
      const has = await this.connection.exec(shellLine(['test', '-f', this.script]));
      if (has.code !== 0) {
        await this.connection.writeFile(`${this.script}.tmp`, hostScript, 0o700);
        await this.run(['mv', `${this.script}.tmp`, this.script], 'install the host script');
      }
    })();
    this.prepared.catch(() => (this.prepared = undefined));
    return this.prepared;
  }

  /** Ship the release in local `dir` unless the host has it; returns the remote directory. */
  async ship(dir: string): Promise<string> {
    await this.prepare();
    const content = await contentHash(dir);
    let shipping = this.shipping.get(content.hash);
    if (!shipping) {
      shipping = shipRelease(this.connection, this.script, dir, content).finally(() =>
        this.shipping.delete(content.hash),
      );
      this.shipping.set(content.hash, shipping);
    }
    return shipping;
  }

  /** Write launch.sh and env, start the instance detached; resolves its pid. Rejects `failed` when it cannot spawn. */
  async launch(launch: Launch): Promise<{ pid: number; procStart: string }> {
    await this.prepare();
    const files = launchFiles(launch);
    await this.connection.mkdir(launch.runDir);
    await this.connection.writeFile(`${launch.runDir}/launch.sh`, files.script, 0o600);
    await this.connection.writeFile(`${launch.runDir}/env`, files.env, 0o600);
    const result = await this.script_('launch', launch.instanceId);
    if (result.code === 126 || result.code === 127)
      throw new RuntimeError('failed', `${result.stderr.trim()} (host ${this.label})`, {
        instanceId: launch.instanceId,
        host: this.label,
      });
    const [pid, procStart] = result.stdout.trim().split(' ');
    if (result.code !== 0 || !Number(pid))
      throw new RuntimeError(
        'unavailable',
        `host ${this.label} could not start instance ${launch.instanceId}: ` +
          `${result.stderr.trim() || `exit ${result.code}`}`,
        { host: this.label },
      );
    return { pid: Number(pid), procStart: procStart ?? '' };
  }

  /** Every instance process the host knows, by instance id. */
  async status(): Promise<Map<string, RemoteProcess>> {
    await this.prepare();
    const result = await this.script_('status');
    // Only a whole answer says which processes are gone: a status cut short (its shell stopped or killed, as on a
    // host that is going away) would read as "every instance it did not list exited". It counts as no answer.
    if (result.code !== 0)
      throw new RuntimeError(
        'unavailable',
        `host ${this.label} gave no complete process status (exit ${result.code ?? 'by a signal'})`,
        { host: this.label },
      );
    const found = new Map<string, RemoteProcess>();
    for (const line of result.stdout.split('\n')) {
      const [id, pid, procStart, alive, code] = line.split(' ');
      if (!id || !Number(pid)) continue;
      found.set(id, {
        pid: Number(pid),
        procStart: procStart ?? '',
        alive: alive === '1',
        exitCode: code === undefined || code === '-' ? null : Number(code),
      });
    }
    return found;
  }

  /**
   * The /proc/PID/stat lines of a process and its children on the host, one per line (empty when it is gone).
   * The command is fixed; the pid is a number checked here, so nothing from outside reaches the shell.
   */
  async procStats(pid: number): Promise<string[]> {
    if (!Number.isSafeInteger(pid) || pid <= 0) return [];
    const line =
      `for p in ${pid} $(cat /proc/${pid}/task/*/children 2>/dev/null); do ` + 'cat /proc/$p/stat 2>/dev/null; done';
    const result = await this.connection.exec(line, { timeoutMs: 5000 });
    return result.stdout.split('\n').filter((l) => l.includes(')'));
  }

  /** SIGTERM or SIGKILL to the instance's process group, if it is still the process that was launched. */
  async signal(instanceId: string, signal: 'TERM' | 'KILL'): Promise<void> {
    await this.script_('signal', instanceId, signal);
  }

  close(): void {
    this.connection.close();
  }

  private script_(...args: string[]) {
    return this.connection.exec(shellLine(['sh', this.script, this.address.dir, ...args]));
  }

  private async run(words: string[], what: string): Promise<void> {
    const result = await this.connection.exec(shellLine(words));
    if (result.code !== 0)
      throw new RuntimeError('unavailable', `host ${this.label} could not ${what}: ${result.stderr.trim()}`, {
        host: this.label,
      });
  }
}
