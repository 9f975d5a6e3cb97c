import { RuntimeError } from '../local/errors.js';
import { parseHostAddress } from '../ssh/host-address.js';
import type { PolledHost } from '../ssh/host-poller.js';
import type { ContainerRuntime } from './container-runtime.js';

/** An SSH host's Docker Engine, as the host poller asks it. */
export interface EngineHost extends PolledHost {
  /** ssh://user@host[:port]: how the spec names the host. */
  readonly url: string;
}

/**
 * The host answers while its engine answers `_ping` within `timeoutMs`. The timeout is ours: a host whose sshd is
 * stopped (or whose machine or network is) accepts the request and never answers it, and ssh2's keepalive gives up on
 * the connection only after 15–20 s.
 */
export function engineHost(url: string, runtime: ContainerRuntime, timeoutMs: number): EngineHost {
  const label = parseHostAddress(url).label;
  return {
    url,
    label,
    async status() {
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RuntimeError('unavailable', `its Docker Engine did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([runtime.ping(), silence]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
