import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';

/**
 * An HTTP agent that reaches a Docker Engine on an SSH host through `docker system dial-stdio`, one exec channel per
 * request over ONE SSH connection kept open (reconnected when it drops), as the docker CLI does.
 *
 * Why not docker-modem's own `protocol: 'ssh'` (5.0.7): it opens a new SSH connection, handshake included, for every
 * Engine API call (the runtime polls every 500 ms), and a channel that fails to open throws from inside ssh2's
 * callback (`stream` undefined after the error): an uncaught exception that ends the coordinator when a host goes away
 * mid-call (seen in test/container-ssh-contract.test.ts). Here every failure is the request's error.
 */
export class SshDialAgent extends Agent {
  private client?: Promise<Client>;

  constructor(private readonly config: ConnectConfig) {
    // At most 8 channels at once on the connection: OpenSSH refuses more than MaxSessions (default 10) per connection;
    // requests beyond wait in the agent's queue instead of failing.
    super({ keepAlive: false, maxSockets: 8 });
  }

  override createConnection(_options: unknown, done: (err: Error | null, socket?: Duplex) => void): undefined {
    this.connected().then(
      (client) =>
        client.exec('docker system dial-stdio', (err, stream) => {
          // A refused channel fails this request only; a connection that broke says so ('close'), and is dropped then.
          if (err) {
            done(err);
            return;
          }
          done(null, stream as unknown as Duplex);
        }),
      (err: Error) => done(err),
    );
    return undefined;
  }

  /** End the SSH connection (the agent connects again on its next request). */
  override destroy(): void {
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.end()).catch(() => undefined);
    super.destroy();
  }

  private connected(): Promise<Client> {
    if (this.client) return this.client;
    const attempt = new Promise<Client>((resolve, reject) => {
      const client = new Client();
      client
        .once('ready', () => resolve(client))
        .on('error', (err) => {
          this.drop(client);
          reject(err);
        })
        .once('close', () => this.drop(client))
        .connect({ keepaliveInterval: 5000, keepaliveCountMax: 3, ...this.config });
    });
    this.client = attempt;
    // A failed attempt is forgotten, so the next request tries again.
    attempt.catch(() => {
      if (this.client === attempt) this.client = undefined;
    });
    return attempt;
  }

  private drop(client: Client): void {
    void this.client?.then(
      (current) => {
        if (current === client) this.client = undefined;
      },
      () => undefined,
    );
    client.end();
  }
}
