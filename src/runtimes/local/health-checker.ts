import { Agent, request } from 'node:http';
import type { Clock } from '../../shared/clock.js';
import type { HealthCheck } from '../runtime.js';
import { loopback } from './port.js';

/** One probe's outcome; `detail` says why it failed, for people. */
export interface HealthProbe {
  ok: boolean;
  /** False when the connection was refused: nothing listens on the port (yet). */
  listening: boolean;
  detail: string;
}

/**
 * GET http://host:port<path> (host: 127.0.0.1 unless given); 2xx/3xx is healthy. Never throws.
 *
 * With `agent` (a keep-alive agent of one socket, as {@link runHealthChecks} makes), probes reuse one connection: a
 * new connection per probe cost the checker and the instance 0.36–0.56 ms of CPU against 0.12–0.15 ms reused
 * (`npm run bench:health-probes`), and a coordinator probes every instance every interval. A reused connection the
 * instance closed meanwhile (it restarted, or its keep-alive timeout fell on the probe) is retried once on a new one,
 * so only the instance's answer decides.
 */
export function probeHealth(
  port: number,
  path: string,
  timeoutMs: number,
  host = loopback,
  agent: Agent | false = false,
): Promise<HealthProbe> {
  return new Promise((resolve) => {
    const attempt = (retried: boolean) => {
      const req = request({ host, port, path, method: 'GET', agent, timeout: timeoutMs }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 400, listening: true, detail: `HTTP ${status}` });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (req.reusedSocket && !retried && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return attempt(true);
        const refused = err.code === 'ECONNREFUSED';
        resolve({
          ok: false,
          listening: !refused,
          detail: refused ? `nothing listening on port ${port}` : err.message,
        });
      });
      req.end();
    };
    attempt(false);
  });
}

/** What enough consecutive probes say about an instance. */
export type HealthVerdict = 'healthy' | 'unhealthy';

/** Options for {@link runHealthChecks}. */
export interface HealthCheckRun {
  port: number;
  /** Where the instance listens (default 127.0.0.1; an SSH host's address for the SSH runtime). */
  host?: string;
  check: HealthCheck;
  clock: Clock;
  /** Aborting stops the loop. */
  signal: AbortSignal;
  /**
   * For an adopted instance that was serving before the coordinator restarted: probe at once,
   * and one success is enough for `healthy`.
   */
  adopted: boolean;
  /** Called when a threshold is crossed (every time, the caller drops repeats). */
  onVerdict: (verdict: HealthVerdict, detail: string) => void;
  /** Called for each probe while the instance has not listened yet (it is still booting). */
  onBooting: (detail: string) => void;
}

/**
 * Probe every `intervalMs` until aborted: `healthyThreshold` consecutive successes → healthy,
 * `unhealthyThreshold` consecutive failures → unhealthy. A freshly started instance gets one
 * interval before the first probe, and refused connections do not count against it until it
 * has listened once: a slow boot is `starting`, not `unhealthy`.
 */
export async function runHealthChecks(run: HealthCheckRun): Promise<void> {
  const { check, clock, signal } = run;
  let successes = 0;
  let failures = 0;
  let first = true;
  let listened = run.adopted;
  // One kept-alive connection per instance, closed when the checks stop (an instance that goes away closes it too).
  const agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  try {
    if (!run.adopted) await clock.sleep(check.intervalMs, signal);
    while (!signal.aborted) {
      const probe = await probeHealth(run.port, check.path, check.timeoutMs, run.host, agent);
      if (signal.aborted) return;
      listened ||= probe.listening;
      if (!listened) {
        run.onBooting(probe.detail);
      } else if (probe.ok) {
        failures = 0;
        successes++;
        if (successes >= check.healthyThreshold || (first && run.adopted)) run.onVerdict('healthy', probe.detail);
      } else {
        successes = 0;
        failures++;
        if (failures >= check.unhealthyThreshold) {
          run.onVerdict(
            'unhealthy',
            `health check GET ${check.path} failed ${failures} times in a row: ${probe.detail}`,
          );
        }
      }
      first = false;
      await clock.sleep(check.intervalMs, signal);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    agent.destroy();
  }
}
