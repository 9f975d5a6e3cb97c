import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { messageOf } from '../../shared/errors.js';
import { RuntimeError } from '../local/errors.js';
import type { HostAddress } from './host-address.js';
import type { KnownHosts } from './known-hosts.js';

/** How to log in: a private key (from Slipway's secrets) and/or the SSH agent's socket. */
export interface HostCredentials {
  privateKey?: string;
  passphrase?: string;
  agent?: string;
}

/** What one remote command did. */
export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface HostConnectionOptions {
  knownHosts: KnownHosts;
  credentials: () => Promise<HostCredentials>;
  /** Handshake and each command must finish within this (default 8 s): a silent host is a down host. */
  timeoutMs?: number;
}

/** Turn what ssh2 or the host said into one line that names the host. Never includes key material. */
export function hostProblem(host: HostAddress, err: unknown): RuntimeError {
  const text = messageOf(err);
  const code = (err as NodeJS.ErrnoException).code ?? '';
  let what: string;
  if (/authentication methods failed/i.test(text)) what = `refused the SSH key for user ${host.user}`;
  else if (/no space left|ENOSPC|disk full/i.test(text)) what = `has no space left on its disk (${host.dir})`;
  else if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND'].includes(code))
    what = `is unreachable (${code})`;
  else if (/timed out|handshake|keepalive|not connected|no response/i.test(text)) what = `is not answering (${text})`;
  else what = `failed: ${text}`;
  return new RuntimeError('unavailable', `host ${host.label} ${what}`, { host: host.label }, { cause: err });
}

/**
 * One SSH connection to a host, opened on first use and again after it drops. Commands run over
 * `exec` channels (fixed commands, arguments quoted by the caller), files go over SFTP. Every
 * failure rejects with a RuntimeError naming the host (hostProblem).
 */
export class HostConnection {
  private client: Promise<Client> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(
    readonly host: HostAddress,
    private readonly options: HostConnectionOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 8000;
  }

  /** Run one command line; resolves with its exit code and output (a non-zero exit is not an error). */
  async exec(line: string, options: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    const client = await this.connect();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.drop(); // a command that never answers means the host (or its sshd) is stuck
        reject(
          hostProblem(
            this.host,
            new Error(`no response to ${line.split(' ').slice(0, 4).join(' ')} within ${timeoutMs}ms`),
          ),
        );
      }, timeoutMs);
      client.exec(line, (err, channel) => {
        if (err) {
          clearTimeout(timer);
          settled = true;
          this.drop();
          return reject(hostProblem(this.host, err));
        }
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        channel.on('data', (d: Buffer) => out.push(d));
        channel.stderr.on('data', (d: Buffer) => errs.push(d));
        channel.on('close', (code: number | null) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          resolve({
            code: typeof code === 'number' ? code : null,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errs).toString('utf8'),
          });
        });
        channel.end(options.stdin ?? '');
      });
    });
  }

  /** Write a small file over SFTP, created with `mode`. */
  async writeFile(path: string, data: string, mode = 0o600): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(path, data, { mode, flag: 'w' }, (err) => (err ? reject(hostProblem(this.host, err)) : resolve())),
    );
  }

  /** Copy a local file to the host over SFTP (parallel reads and writes). */
  async putFile(local: string, remote: string): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(local, remote, { mode: 0o600 }, (err) => (err ? reject(hostProblem(this.host, err)) : resolve())),
    );
  }

  /** Create a directory over SFTP (its parent must exist); an existing one is fine. */
  async mkdir(path: string): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.mkdir(path, { mode: 0o700 }, (err) => {
        if (!err) return resolve();
        sftp.stat(path, (statErr, stats) =>
          !statErr && stats.isDirectory() ? resolve() : reject(hostProblem(this.host, err)),
        );
      }),
    );
  }

  /** The SFTP session (one per connection). */
  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= this.connect().then(
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((err, sftp) => (err ? reject(hostProblem(this.host, err)) : resolve(sftp))),
        ),
    );
    this.sftpSession.catch(() => (this.sftpSession = undefined));
    return this.sftpSession;
  }

  /** Close the connection; instances on the host keep running. */
  close(): void {
    this.closed = true;
    this.drop();
  }

  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new RuntimeError('unavailable', `host ${this.host.label}: runtime closed`));
    if (!this.client) {
      const opening = this.open();
      this.client = opening;
      opening.catch(() => {
        if (this.client === opening) this.client = undefined; // the next call tries again
      });
    }
    return this.client;
  }

  private async open(): Promise<Client> {
    const credentials = await this.options.credentials();
    const client = new Client();
    let keyRefusal: string | undefined;
    const hostPort = `${this.host.host}:${this.host.port}`;
    const config: ConnectConfig = {
      host: this.host.host,
      port: this.host.port,
      username: this.host.user,
      readyTimeout: this.timeoutMs,
      keepaliveInterval: 1000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const check = this.options.knownHosts.check(hostPort, key);
        if (!check.ok)
          keyRefusal =
            `host ${this.host.label} presented host key ${check.presented}, but ${check.pinned} is pinned for it ` +
            `in ${this.options.knownHosts.file}: refusing to connect (remove that entry if the host was rebuilt)`;
        return check.ok;
      },
      ...(credentials.privateKey ? { privateKey: credentials.privateKey, passphrase: credentials.passphrase } : {}),
      ...(credentials.agent ? { agent: credentials.agent } : {}),
    };
    const connecting = new Promise<Client>((resolve, reject) => {
      client.once('ready', () => resolve(client));
      client.once('error', (err) =>
        reject(
          keyRefusal
            ? new RuntimeError('unavailable', keyRefusal, { host: this.host.label })
            : hostProblem(this.host, err),
        ),
      );
    });
    client.on('error', () => this.forget(client));
    client.on('close', () => this.forget(client));
    client.connect(config);
    try {
      return await connecting;
    } catch (err) {
      this.forget(client);
      client.end();
      throw err;
    }
  }

  private forget(client: Client): void {
    void this.client?.then(
      (current) => {
        if (current === client) this.drop();
      },
      () => undefined,
    );
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    this.sftpSession = undefined;
    void client?.then(
      (c) => c.destroy(),
      () => undefined,
    );
  }
}
