/**
 * One log line per finished request, written by HAProxy to an in-memory ring the adapter reads with
 * `show events`: the per-request samples and the counters of the signal sources come from these lines
 * (HAProxy's own `show stat` has counters but no latency histogram and no per-request samples).
 *
 * Fields: worker pid, request counter (with the pid, unique per request), status sent, active time in
 * ms (Ta: total time minus idle client keep-alive), accept date in ms, server name, termination state.
 */
export const logFormat = '%pid %rt %ST %Ta %Ts%ms %s %tsc';

/** The ring section's name in the generated configuration. */
export const sampleRing = 'slipway_samples';

/** One parsed line. */
export interface LoggedRequest {
  /** `${pid} ${rt}`: the same request is never counted twice however often the ring is read. */
  key: string;
  status: number;
  latencyMs: number;
  /** When the request finished, ms since epoch. */
  at: number;
  server: string;
  /** HAProxy answered 502/503/504 itself (its termination state says it, not the upstream). */
  proxyError: boolean;
}

/** Parse one ring line; undefined for lines that are not requests served by a server (404s, noise). */
export function parseLogLine(line: string): LoggedRequest | undefined {
  const f = line.trim().split(' ');
  if (f.length !== 7) return undefined;
  const [pid, rt, st, ta, acceptMs, server, tsc] = f as [string, string, string, string, string, string, string];
  const status = Number(st);
  const latencyMs = Math.max(0, Number(ta));
  const accepted = Number(acceptMs);
  if (!Number.isInteger(status) || !Number.isFinite(latencyMs) || !Number.isFinite(accepted)) return undefined;
  if (server === '<NOSRV>' || server === '-') return undefined;
  const byHaproxy = tsc[0] !== '-' && tsc[0] !== undefined;
  return {
    key: `${pid} ${rt}`,
    status,
    latencyMs,
    at: accepted + latencyMs,
    server,
    proxyError: byHaproxy && status >= 502 && status <= 504,
  };
}
