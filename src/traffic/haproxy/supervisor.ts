import { masterSocket } from './files.js';
import { type HaproxyProcess, type HaproxyProcessOptions, startHaproxy } from './haproxy-process.js';
import { MasterCli } from './master-cli.js';

/** A haproxy kept running for one state dir. */
export interface HaproxySupervisor {
  /** The master's pid now (it changes after a restart); undefined while restarting. */
  pid(): number | undefined;
  /** Stop supervising and soft-stop haproxy (when this supervisor started it). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Attach to the haproxy already answering on `<stateDir>/master.sock` (started by an earlier coordinator, or
 * by hand with `-W -S <dir>/master.sock -f <dir>/haproxy.cfg`) or start one, and start it again when it
 * dies, from the tables saved in the state dir, with backoff (250 ms doubling to 5 s; reset after 30 s up).
 * An attached haproxy is not watched: it is someone else's process.
 */
export async function superviseHaproxy(options: HaproxyProcessOptions): Promise<HaproxySupervisor> {
  const running = await new MasterCli(masterSocket(options.stateDir), 2_000).processes().catch(() => undefined);
  if (running) return { pid: () => running.master, stop: async () => undefined };
  let current: HaproxyProcess | undefined = await startHaproxy(options);
  let stopping = false;
  let backoffMs = 250;
  const watch = (proc: HaproxyProcess) => {
    const started = Date.now();
    void proc.exited.then(async () => {
      current = undefined;
      if (stopping) return;
      if (Date.now() - started > 30_000) backoffMs = 250;
      for (;;) {
        await new Promise((r) => setTimeout(r, backoffMs).unref());
        backoffMs = Math.min(backoffMs * 2, 5_000);
        if (stopping) return;
        try {
          current = await startHaproxy(options);
          watch(current);
          return;
        } catch (e) {
          process.stderr.write(`slipway: restarting haproxy failed: ${(e as Error).message}\n`);
        }
      }
    });
  };
  watch(current);
  return {
    pid: () => current?.pid,
    async stop(graceMs) {
      stopping = true;
      await current?.stop(graceMs);
    },
  };
}
