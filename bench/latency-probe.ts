import { Pool } from 'undici';
import { percentile } from '../src/demo/load-generator.js';
import { dispatchStatus } from './dispatch-status.js';

/**
 * A lean open-loop latency probe for the overhead measurement: undici's callback API (no body
 * streams per request), so the client itself takes as little of the shared CPU as it can.
 * Latency runs from the moment each request is handed to the pool to its last body byte.
 */
export async function probeLatency(
  url: string,
  path: string,
  rate: number,
  seconds: number,
): Promise<{ p50Ms: number; p99Ms: number; failed: number; requests: number }> {
  const pool = new Pool(url, { connections: 64, pipelining: 1 });
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  let done = 0;
  const total = rate * seconds;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const fire = () => {
      const t0 = performance.now();
      dispatchStatus(pool, { method: 'GET', path, origin: url }).then(
        (status) => {
          latencies.push(performance.now() - t0);
          if (status >= 500) failed++;
          if (++done === total) resolve();
        },
        () => {
          failed++;
          if (++done === total) resolve();
        },
      );
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) {
        sent++;
        fire();
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  await pool.close();
  latencies.sort((a, b) => a - b);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return { p50Ms: r2(percentile(latencies, 50)), p99Ms: r2(percentile(latencies, 99)), failed, requests: done };
}
