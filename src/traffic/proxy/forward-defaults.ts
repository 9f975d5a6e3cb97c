import type { ForwardOptions } from './exchange.js';

// Apart from the data plane, so the parent process (which only hands connections to its workers) can read them
// without loading the forwarding code and undici.

/** Forwarding defaults: 60 s to response headers, 5 min body idle, 5 s connect, 1 s ejection, 2 retries, fast path. */
export const defaultForwardOptions: Omit<ForwardOptions, 'logger'> = {
  responseTimeoutMs: 60_000,
  bodyIdleTimeoutMs: 300_000,
  connectTimeoutMs: 5_000,
  ejectMs: 1_000,
  maxRetries: 2,
  fastPath: process.env.SLIPWAY_PROXY_FAST_PATH !== '0',
};

/** How long a closed or moved listener lets its in-flight requests finish. */
export const defaultDrainTimeoutMs = 30_000;
