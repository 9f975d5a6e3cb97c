/**
 * Fixtures for the signal source integration tests: the example app (harbor-quote) as real
 * processes, and a steady trickle of requests to them.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './proxy-support.js';

const harborServer = fileURLToPath(new URL('../examples/harbor-quote/server.js', import.meta.url));

/** A running harbor-quote process. */
export interface HarborQuote {
  release: string;
  /** host:port */
  address: string;
  /** SIGKILL unless already gone (safe in afterAll). */
  stop(): Promise<void>;
}

/** Start harbor-quote as `release` with extra environment (FAIL_RATE, EXTRA_LATENCY_MS, QUOTE_MODEL…); resolves when
 * /health answers. */
export async function startHarborQuote(release: string, env: Record<string, string> = {}): Promise<HarborQuote> {
  const port = await freePort();
  const child = spawn(process.execPath, [harborServer], {
    env: { ...process.env, PORT: String(port), SLIPWAY_RELEASE: release, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const address = `127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`harbor-quote ${release} exited with ${child.exitCode}`);
        return (await fetch(`http://${address}/health`)).ok;
      },
      `harbor-quote ${release} to answer /health`,
      30_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { release, address, stop };
}

/** Requests sent in a loop until `stop()`; failures are counted, not thrown. */
export interface Load {
  sent(): number;
  stop(): Promise<void>;
}

/** `workers` loops each sending GET `url` one after another, pausing `pauseMs` between requests so two cores are not
 * swamped. */
export function startLoad(
  url: string,
  options: { workers?: number; pauseMs?: number; headers?: Record<string, string> } = {},
): Load {
  let running = true;
  let sent = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.workers ?? 2 });
  const once = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
    });
  const loops = Array.from({ length: options.workers ?? 2 }, async () => {
    while (running) {
      await once();
      sent++;
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
    }
  });
  return {
    sent: () => sent,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
