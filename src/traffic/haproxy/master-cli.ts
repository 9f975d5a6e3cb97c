import { cliCommand } from './cli-socket.js';
import { HaproxyError } from './errors.js';

/** The processes the master reports (`show proc`). */
export interface ProcessList {
  master: number;
  /** Reloads so far and how many failed. */
  reloads: number;
  failedReloads: number;
  /** The current worker (the one `@1` reaches). */
  worker: number;
  /** Workers of earlier reloads, still finishing their requests. */
  oldWorkers: number[];
}

/**
 * HAProxy's master CLI: reload, the process list, and commands for a worker (`@1` is the current one,
 * `@!<pid>` a given one). Runtime commands answer text; an answer that is not a known success is an error.
 */
export class MasterCli {
  constructor(
    readonly socket: string,
    private readonly timeoutMs = 5_000,
  ) {}

  /** Raw output of a master command. */
  master(command: string): Promise<string> {
    return cliCommand(this.socket, command, this.timeoutMs);
  }

  /** Output of a command on the current worker (or the worker with pid `worker`). */
  worker(command: string, worker?: number): Promise<string> {
    return this.master(`${worker === undefined ? '@1' : `@!${worker}`} ${command}`);
  }

  /** Run a runtime command that changes something; throws with HAProxy's answer when it refused. */
  async change(command: string): Promise<string> {
    const answer = (await this.worker(command)).trim();
    if (answer === '' || /^(New server registered|Server deleted|New version created)/.test(answer)) return answer;
    throw new HaproxyError('failed', `HAProxy refused "${command}" on ${this.socket}: ${answer.split('\n')[0]}`, {
      socket: this.socket,
      command,
    });
  }

  /** The master and its workers. */
  async processes(): Promise<ProcessList> {
    const text = await this.master('show proc');
    const list = parseShowProc(text);
    if (list === undefined)
      throw new HaproxyError(
        'unavailable',
        `HAProxy's master socket ${this.socket} answered "show proc" with no worker`,
        {
          socket: this.socket,
        },
      );
    return list;
  }
}

/** Parse `show proc`: "<pid> master <reloads> [failed: N] ..." then "<pid> worker <reloads> ..." lines. */
export function parseShowProc(text: string): ProcessList | undefined {
  let master: number | undefined;
  let reloads = 0;
  let failedReloads = 0;
  const workers: { pid: number; reloads: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/.exec(line);
    if (m) {
      master = Number(m[1]);
      reloads = Number(m[2]);
      failedReloads = Number(m[3]);
      continue;
    }
    const w = /^(\d+)\s+worker\s+(\d+)/.exec(line);
    if (w) workers.push({ pid: Number(w[1]), reloads: Number(w[2]) });
  }
  // Workers count the reloads since they started: the current one has the fewest.
  const current = [...workers].sort((a, b) => a.reloads - b.reloads)[0];
  if (master === undefined || current === undefined) return undefined;
  return {
    master,
    reloads,
    failedReloads,
    worker: current.pid,
    oldWorkers: workers.filter((w) => w !== current).map((w) => w.pid),
  };
}
