import Docker from 'dockerode';
import { RuntimeError } from '../local/errors.js';

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
