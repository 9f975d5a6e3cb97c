import Docker from 'dockerode';
import { RuntimeError } from '../local/errors.js';
import { parseHostAddress } from '../ssh/host-address.js';
import type { HostCredentials } from '../ssh/host-connection.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { SshDialAgent } from './ssh-dial-agent.js';

/** Labels every container and image of this runtime carries: how a restarted coordinator finds its own. */
export const labels = {
  managed: 'dev.slipway.runtime',
  instance: 'dev.slipway.instance',
  project: 'dev.slipway.project',
  service: 'dev.slipway.service',
  environment: 'dev.slipway.environment',
  release: 'dev.slipway.release',
  content: 'dev.slipway.content',
} as const;

/** Where the Docker Engine API answers: a unix socket path, or DOCKER_HOST's. */
export interface EngineAddress {
  /** e.g. /var/run/docker.sock; default: DOCKER_HOST (unix://…) or /var/run/docker.sock. */
  socketPath?: string;
}

/** The socket path a runtime talks to (the option, DOCKER_HOST's unix:// path, or Docker's default). */
export function engineSocket(address: EngineAddress = {}, env: NodeJS.ProcessEnv = process.env): string {
  if (address.socketPath) return address.socketPath;
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

export function connectEngine(address: EngineAddress = {}): Docker {
  return new Docker({ socketPath: engineSocket(address) });
}

/** A Docker Engine on an SSH host, reached as Kamal does: `docker system dial-stdio` run over SSH. */
export interface SshEngineAddress {
  /** ssh://user@host[:port]: the user needs `docker` on its PATH and access to the host's engine. */
  url: string;
  /** Host keys pinned on first use (the SSH runtime's file): a changed key is refused. */
  knownHostsFile: string;
  credentials: HostCredentials;
}

/** The engine on an SSH host; `refusal()` is the last host key refusal, one line naming host and file. */
export function connectEngineOverSsh(address: SshEngineAddress): {
  docker: Docker;
  label: string;
  refusal(): string | undefined;
  /** End the SSH connection (the runtime's close). */
  close(): void;
} {
  const host = parseHostAddress(address.url);
  const knownHosts = new KnownHosts(address.knownHostsFile);
  const hostPort = `${host.host}:${host.port}`;
  let refusal: string | undefined;
  const { privateKey, passphrase, agent: agentSocket } = address.credentials;
  const agent = new SshDialAgent({
    host: host.host,
    port: host.port,
    username: host.user,
    readyTimeout: 8000,
    hostVerifier: (key: Buffer) => {
      const check = knownHosts.check(hostPort, key);
      refusal = check.ok
        ? undefined
        : `host ${host.label} presented host key ${check.presented}, but ${check.pinned} is pinned for it ` +
          `in ${knownHosts.file}: refusing to connect (remove that entry if the host was rebuilt)`;
      return check.ok;
    },
    ...(privateKey ? { privateKey, passphrase } : {}),
    ...(agentSocket ? { agent: agentSocket } : {}),
  });
  // Plain HTTP over the agent's dial-stdio channels (the host and port only name the request; the agent connects).
  const docker = new Docker({ protocol: 'http', host: host.host, port: host.port, agent } as Docker.DockerOptions);
  return { docker, label: `ssh://${host.label}`, refusal: () => refusal, close: () => agent.destroy() };
}

/** The HTTP status of a Docker Engine API error (dockerode sets statusCode), if any. */
export function engineStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own words for an error (its JSON `message`), else the error's message. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } })?.json;
  if (json && typeof json.message === 'string') return json.message.trim();
  return err instanceof Error ? err.message : String(err);
}

/** An engine that does not answer (socket missing, daemon down) as one clear `unavailable` line. */
export function unreachable(socket: string, err: unknown): RuntimeError {
  return new RuntimeError(
    'unavailable',
    `the Docker Engine at ${socket} does not answer (${engineMessage(err)}); is dockerd running?`,
    { socket },
  );
}

/** Is this error the engine being unreachable (no HTTP status at all)? */
export function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return engineStatus(err) === undefined && typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
