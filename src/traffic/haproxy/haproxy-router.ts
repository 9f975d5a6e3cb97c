import { parseEnvironmentRoutes } from '../proxy/route-schema.js';
import type { EnvironmentRoutes, Router, SamplesPage, TrafficStats, UpstreamStatus } from '../router.js';
import { HaproxyError } from './errors.js';
import { masterSocket, readState, type StateDir, workerSocket, writeStateDir } from './files.js';
import { closeWhenIdle, type RingTail, tailRing } from './ring-tail.js';
import { Installer } from './install.js';
import { defaultBinary, defaultRingBytes } from './haproxy-process.js';
import { probeListen, sameListen } from './listen-probe.js';
import { LogIngest } from './log-ingest.js';
import { MasterCli, type ProcessList } from './master-cli.js';
import { planState } from './plan-state.js';
import { deleteCommands } from './runtime-plan.js';
import { sampleRing } from './sample-log.js';
import type { HaproxyState, ServerEntry } from './state.js';
import { clientConnections, inFlightByServer } from './stat-csv.js';

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
  private readonly installer: Installer;
  private state: HaproxyState | undefined;
  private log: { master: number; ingest: LogIngest } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private undeleted: ServerEntry[] = [];
  private readonly tailed = new Set<number>();

  constructor(options: HaproxyRouterOptions) {
    this.where = { dir: options.stateDir, ringBytes: options.ringBytes ?? defaultRingBytes };
    this.binary = options.binary ?? defaultBinary;
    this.cli = new MasterCli(masterSocket(options.stateDir), options.timeoutMs ?? 5_000);
    this.installer = new Installer(this.cli, this.where, this.binary);
  }

  async apply(input: EnvironmentRoutes): Promise<void> {
    const table = parseEnvironmentRoutes(input, `environment "${String(input?.environment)}"`);
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
        this.state = { ...state, servers: state.servers.filter((s) => !drained.includes(s)) };
        await writeStateDir(this.where, this.state);
      }
      // HAProxy deletes a server only without idle connections either; those left are tried again next time.
      const undeleted: ServerEntry[] = [];
      for (const s of [...this.undeleted, ...drained]) if (!(await this.deleteServer(s))) undeleted.push(s);
      this.undeleted = undeleted;
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

  /** Delete a drained server from both its backends; false when HAProxy cannot yet. */
  private async deleteServer(s: ServerEntry): Promise<boolean> {
    for (const command of deleteCommands(s)) {
      const done = await this.cli.change(command).then(
        () => true,
        (e: Error) => e.message.includes('No such'),
      );
      if (!done) return false;
    }
    return true;
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
    // Old workers are followed by their tails (started before the reload), not dumped again.
    const dump = await this.cli.worker(`show events ${sampleRing}`);
    ingest.ingest(procs.worker, dump, (server) => this.state!.labels[server]);
    for (const pid of this.tailed) if (pid !== procs.worker && !procs.oldWorkers.includes(pid)) this.tailed.delete(pid);
    ingest.keepWorkers([procs.worker, ...this.tailed]);
    return ingest;
  }

  private async install(next: HaproxyState, procs: ProcessList): Promise<void> {
    const worker = procs.worker;
    let retiring: RingTail | undefined;
    try {
      this.state = await this.installer.install(this.state!, next, procs, async () => {
        // The worker about to retire: its whole ring, then every line live until it is idle (each counted once).
        await this.attach();
        this.tailed.add(worker);
        retiring = await tailRing(workerSocket(this.where.dir), (line) =>
          this.log?.ingest.ingestLine(worker, line, (server) => this.state?.labels[server]),
        );
      });
    } finally {
      const busy = async () => clientConnections(await this.cli.worker('show stat', worker)) > 0;
      if (retiring) void closeWhenIdle(retiring, busy);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
