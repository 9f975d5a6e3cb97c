import { spawnSync } from 'node:child_process';

/** Is wrk (Debian package `wrk`) installed? */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** Closed-loop maximum throughput with wrk: requests per second at `connections` for `seconds`. */
export function wrkRps(url: string, connections: number, seconds: number): number {
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout);
  if (!match) throw new Error(`cannot read wrk output: ${r.stdout}`);
  if (errors) throw new Error(`wrk saw ${errors[1]} non-2xx responses from ${url}`);
  return Number(match[1]);
}
