import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { ProjectConfig } from '../../../config/model.js';
import { splitListen } from '../../../config/fields.js';
import type { AlertReader, AlertReading, AlertTarget } from '../reader.js';

const dayMs = 86_400_000;

/**
 * The certificates of an environment's `alerts.tls` endpoints, over a real TLS handshake:
 * `tls_days_left` per endpoint (negative once expired). The chain is not verified — an expiring
 * self-signed or internal certificate must still be reported; an endpoint that does not answer
 * TLS within the timeout is a reading with phase `error`, never an alert.
 */
export class TlsReader implements AlertReader {
  readonly name = 'tls';
  readonly scope = 'environment';

  constructor(
    private readonly configOf: (project: string) => Promise<ProjectConfig | undefined>,
    private readonly timeoutMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async read(target: AlertTarget): Promise<AlertReading[]> {
    const env = (await this.configOf(target.project))?.environments.find((e) => e.name === target.environment);
    return Promise.all(
      (env?.alerts?.tls ?? []).map(async (endpoint): Promise<AlertReading> => {
        const labels = { endpoint };
        try {
          const cert = await peerCertificate(endpoint, this.timeoutMs);
          const expires = Date.parse(cert.valid_to);
          if (Number.isNaN(expires)) throw new Error(`unreadable expiry date ${JSON.stringify(cert.valid_to)}`);
          return {
            name: 'tls_days_left',
            labels,
            phase: 'ok',
            value: Math.floor(((expires - this.now()) / dayMs) * 10) / 10,
            detail: `certificate for ${cert.subject?.CN ?? '?'} valid until ${new Date(expires).toISOString()}`,
          };
        } catch (e) {
          return { name: 'tls_days_left', labels, phase: 'error', message: `${endpoint}: ${(e as Error).message}` };
        }
      }),
    );
  }

  async close(): Promise<void> {}
}

/** The certificate an endpoint presents (SNI = its host name, when it is not an address). */
function peerCertificate(endpoint: string, timeoutMs: number): Promise<PeerCertificate> {
  const { host, port } = splitListen(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (e: Error) => {
      socket.destroy();
      reject(e);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert?.valid_to) reject(new Error('no certificate presented'));
      else resolve(cert);
    });
    socket.once('timeout', () => fail(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}
