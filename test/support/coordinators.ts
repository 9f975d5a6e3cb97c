import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { ApiClient } from '../../src/cli/client.js';
import { entryCommand } from './entry.js';
import { until } from './processes.js';
import { freePort } from '../proxy-support.js';
import type { System } from './system.js';

/** What GET /api/v1/system/leader answers. */
export interface LeaderState {
  role: 'leader' | 'follower' | 'single';
  holder?: string;
  leader?: { url: string; host: string; pid: number; token: number };
}

/**
 * Another coordinator process on a System's workspace and database (same config and data dir, its own port),
 * tagged like the System's processes so `system.close()` kills it even after a failed test.
 */
export class ExtraCoordinator {
  child!: ChildProcess;
  readonly client: ApiClient;

  private constructor(
    readonly system: System,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.client = new ApiClient(this.url, system.token);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(system: System, env: Record<string, string>): Promise<ExtraCoordinator> {
    const extra = new ExtraCoordinator(system, await freePort(), env);
    await extra.restart();
    return extra;
  }

  async restart(): Promise<void> {
    const [node, args] = entryCommand('src/cli/main.ts', [
      'coordinator',
      '--config',
      this.system.workspace.configPath,
      '--listen',
      `127.0.0.1:${this.port}`,
    ]);
    const out = createWriteStream(path.join(this.system.workspace.dir, `coordinator-${this.port}.out`), { flags: 'a' });
    this.child = spawn(node, args, {
      env: { ...process.env, ...this.env, SLIPWAY_TOKEN: this.system.token, SLIPWAY_TEST_RUN: this.system.tag },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.pipe(out);
    this.child.stderr!.pipe(out);
    await until('the extra coordinator to answer', () => healthy(this.url), 90_000);
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/healthz`, { headersTimeout: 2000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** Ask one coordinator what it is; undefined while it does not answer. */
export async function leaderState(client: ApiClient): Promise<LeaderState | undefined> {
  return client.call<LeaderState>('GET', '/api/v1/system/leader').catch(() => undefined);
}

/** The coordinators' shared log (pino JSON lines) of one process. */
export function coordinatorLogOf(system: System, pid: number): { msg: string; [k: string]: unknown }[] {
  const file = path.join(system.workspace.dir, '.slipway', 'logs', 'coordinator.log');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; pid: number })
    .filter((l) => l.pid === pid);
}
