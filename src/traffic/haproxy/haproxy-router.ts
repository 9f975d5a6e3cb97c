import { parseEnvironmentRoutes } from '../proxy/route-schema.js';
import type { EnvironmentRoutes, Router, SamplesPage, TrafficStats, UpstreamStatus } from '../router.js';
import { isSlipwayError } from '../../shared/errors.js';
import { renderConfig } from './config-text.js';
import { HaproxyError } from './errors.js';
import { checkCandidate, masterSocket, readState, type StateDir, writeStateDir } from './files.js';
import { defaultBinary, defaultRingBytes } from './haproxy-process.js';
import { probeListen, sameListen } from './listen-probe.js';
import { LogIngest } from './log-ingest.js';
import { mapContents } from './maps.js';
import { MasterCli, type ProcessList } from './master-cli.js';
import { planState } from './plan-state.js';
import { deleteCommands, runtimeCommands } from './runtime-plan.js';
import { sampleRing } from './sample-log.js';
import type { HaproxyState } from './state.js';
import { inFlightByServer } from './stat-csv.js';

export interface HaproxyRouterOptions {
  /** The state dir haproxy was started with (startHaproxy): configuration, maps, master.sock. */
  stateDir: string;
  binary?: string;
  ringBytes?: number;
  /** Per-command timeout on the master socket (default 5 s). */
  timeoutMs?: number;
}

/**
 * Router (router.ts) over a master-worker HAProxy reached through its master CLI socket. Tables
 * become a generated configuration (config-text.ts); changes of the same shape go through the
 * runtime API (add/del/set server, map versions), others through a hitless reload checked by
 * `haproxy -c` first. Counters and samples come from per-request log lines in a ring (sample-log.ts),
 * counted since this router first saw the running master (`startedAt`).
 */
export class HaproxyRouter implements Router {
  private readonly cli: MasterCli;
  private readonly where: StateDir;
  private readonly binary: string;
  private state: HaproxyState | undefined;
  private log: { master: number; ingest: LogIngest } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: HaproxyRouterOptions) {
    this.where = { dir: options.stateDir, ringBytes: options.ringBytes ?? defaultRingBytes };
    this.binary = options.binary ?? defaultBinary;
    this.cli = new MasterCli(masterSocket(options.stateDir), options.timeoutMs ?? 5_000);
  }

  async apply(input: EnvironmentRoutes): Promise<void> {
    const table = parseEnvironmentRoutes(input, `the route table of environment "${String(input?.environment)}"`);
    await this.serial(async () => {
      const procs = await this.attach();
      const state = this.state!;
      const clash = state.tables.find((t) => t.environment !== table.environment && sameListen(t.listen, table.listen));
      if (clash)
        throw new HaproxyError(
          'conflict',
          `listen address ${table.listen} is already used by environment "${clash.environment}"`,
          {
            listen: table.listen,
          },
        );
      const current = state.tables.find((t) => t.environment === table.environment);
      if (!current || !sameListen(current.listen, table.listen)) await probeListen(table.listen);
      const others = state.tables.filter((t) => t.environment !== table.environment);
      await this.install(planState(state, [...others, table]), procs);
    });
  }

  async remove(environment: string): Promise<void> {
    await this.serial(async () => {
      const procs = await this.attach();
      const state = this.state!;
      if (!state.tables.some((t) => t.environment === environment)) return;
      await this.install(
        planState(
          state,
          state.tables.filter((t) => t.environment !== environment),
        ),
        procs,
      );
    });
  }

  upstreams(): Promise<UpstreamStatus[]> {
    return this.serial(async () => {
      await this.attach();
      const inFlight = inFlightByServer(await this.cli.worker('show stat'));
      const state = this.state!;
      // Drained servers are deleted here, when someone looks: nothing has to watch them in between.
      const drained = state.servers.filter((s) => s.state === 'draining' && (inFlight.get(s.name) ?? 0) === 0);
      if (drained.length > 0) {
        for (const s of drained)
          for (const command of deleteCommands(s)) await this.cli.change(command).catch(() => undefined);
        this.state = { ...state, servers: state.servers.filter((s) => !drained.includes(s)) };
        await writeStateDir(this.where, this.state);
      }
      return this.state!.servers.map((s) => ({
        environment: s.environment,
        service: s.service,
        release: s.release,
        id: s.id,
        address: s.address,
        inFlight: inFlight.get(s.name) ?? 0,
        state: s.state,
      }));
    });
  }

  stats(): Promise<TrafficStats> {
    return this.serial(async () => {
      const ingest = await this.readSamples();
      for (const table of this.state!.tables)
        for (const route of table.routes)
          for (const set of route.releases) ingest.registry.recorder(table.environment, route.service, set.release);
      return ingest.registry.snapshot(Date.now());
    });
  }

  samples(environment: string, service: string, after = 0): Promise<SamplesPage> {
    return this.serial(async () => (await this.readSamples()).registry.samples(environment, service, after));
  }

  async healthy(): Promise<boolean> {
    return this.cli.processes().then(
      () => true,
      () => false,
    );
  }

  /** Reach the master (or fail as unavailable), load the state, and start counting afresh for a new master. */
  private async attach(): Promise<ProcessList> {
    const procs = await this.cli.processes();
    this.state ??= await readState(this.where.dir);
    if (this.log?.master !== procs.master) {
      this.log = { master: procs.master, ingest: new LogIngest(Date.now()) };
      const names = new Set(this.state.servers.map((s) => s.name));
      this.state.labels = Object.fromEntries(Object.entries(this.state.labels).filter(([name]) => names.has(name)));
    }
    return procs;
  }

  /** Read every live worker's sample ring into the counters. */
  private async readSamples(): Promise<LogIngest> {
    const procs = await this.attach();
    const { ingest } = this.log!;
    const workers = [procs.worker, ...procs.oldWorkers];
    for (const pid of workers) {
      const dump = await this.cli.worker(`show events ${sampleRing}`, pid === procs.worker ? undefined : pid);
      ingest.ingest(pid, dump, (server) => this.state!.labels[server]);
    }
    ingest.keepWorkers(workers);
    return ingest;
  }

  /**
   * Put `next` in force: through the runtime API when the shape is the same, else by a reload. Files
   * are written first, so a restarted haproxy serves what was applied. On failure the previous
   * files are put back (and reloaded when haproxy may hold part of the change): all or nothing.
   */
  private async install(next: HaproxyState, procs: ProcessList): Promise<void> {
    const prev = this.state!;
    const shape = (s: HaproxyState) => renderConfig(s, { dir: this.where.dir, ringBytes: 0, withoutServers: true });
    const reload = shape(prev) !== shape(next);
    // HAProxy judges every change before anything is touched (an upstream it cannot resolve, say).
    await checkCandidate(this.binary, this.where, next);
    await writeStateDir(this.where, next);
    try {
      if (reload) await this.reload(procs);
      else {
        const commands = runtimeCommands(prev, next, mapContents(prev), mapContents(next), this.where.dir);
        await this.runAll(commands).catch(async (e: unknown) => {
          // The runtime state is part old, part new (or was not what state.json said): the files are whole.
          if (isSlipwayError(e) && e.code === 'unavailable') throw e;
          await this.reload(await this.cli.processes());
        });
      }
    } catch (e) {
      await writeStateDir(this.where, prev);
      if (!(isSlipwayError(e) && e.code === 'unavailable'))
        await this.cli
          .processes()
          .then((p) => this.reload(p))
          .catch(() => undefined);
      throw e;
    }
    // After a reload the draining servers live on only in the old worker, which finishes their requests.
    this.state = reload ? { ...next, servers: next.servers.filter((s) => s.state === 'active') } : next;
    if (reload) await writeStateDir(this.where, this.state);
  }

  private async runAll(commands: readonly string[]): Promise<void> {
    let version = '';
    for (const command of commands) {
      const answer = await this.cli.change(command.replace('@next', `@${version}`));
      const created = /New version created: (\d+)/.exec(answer);
      if (created) version = created[1]!;
    }
  }

  /** Hitless reload through the master CLI; resolves once a new worker serves, rejects if the master refused. */
  private async reload(before: ProcessList): Promise<void> {
    await this.cli.master('reload').catch(() => undefined);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = await this.cli.processes().catch(() => undefined);
      if (now && now.master === before.master && now.reloads > before.reloads) {
        if (now.failedReloads > before.failedReloads)
          throw new HaproxyError(
            'failed',
            `haproxy refused to reload its configuration; see ${this.where.dir}/haproxy.log`,
          );
        if (now.worker !== before.worker) return;
      }
      if (Date.now() > deadline)
        throw new HaproxyError('unavailable', `haproxy did not finish reloading within 15 s (${this.cli.socket})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
