import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { generateToken } from '../../src/api/auth.js';
import { ApiClient } from '../../src/cli/client.js';
import { followDeployment, type DeploymentView } from '../../src/cli/follow.js';
import { loadConfigWithRaw } from '../../src/config/load.js';
import { reservePort } from './test-ports.js';
import { createDemoWorkspace } from '../../src/demo/workspace.js';
import { seedWorkspaceStore } from './store-seed.js';
import { createPostgresDatabase, type PostgresDatabase } from './store.js';
import { runSlipway } from './cli.js';
import { entryCommand } from './entry.js';
import { killTagged, until } from './processes.js';
import { releaseLogs, watchLogs } from './failure-logs.js';

/**
 * The whole of Slipway as real processes for integration tests: a coordinator process (which
 * starts the proxy process, which serves the instances' processes) on a fresh workspace with
 * harbor-quote. Every process it causes carries SLIPWAY_TEST_RUN=<uuid> in its environment, so
 * `close()` can kill whatever is left even after a failed test.
 */
/** What System needs of a workspace (the harbor-quote demo's, or another made by `create`). */
export interface SystemWorkspace {
  dir: string;
  configPath: string;
  ports: { coordinator: number; proxyAdmin: number; staging: number; production?: number };
}

/** An instance as the API lists it: the fields the tests look at (a test may ask for more, typed as its own). */
export interface InstanceView {
  id: string;
  state: string;
  address: string;
  release: string;
}

export class System {
  readonly tag = randomUUID();
  readonly token = generateToken();
  coordinator?: ChildProcess;
  client!: ApiClient;
  project = 'harbor-quote';

  private constructor(
    readonly workspace: SystemWorkspace,
    /** Extra environment for the coordinator process (e.g. DATABASE_URL). */
    private readonly env: Record<string, string>,
    /** The database this System created for its coordinator (dropped by close). */
    readonly database?: PostgresDatabase,
  ) {}

  static async start(
    options: Parameters<typeof createDemoWorkspace>[0] & {
      env?: Record<string, string> | ((workspace: SystemWorkspace) => Record<string, string>);
      /**
       * Where the coordinator keeps its store. Default `postgres`: a copy of the migrated template on the test
       * server (dropped by close), because an embedded PGlite coordinator costs seconds of CPU to start and more
       * to idle, and most tests are not about the store. `embedded` is Slipway's own default (PGlite in the data
       * directory): the tests of the zero-setup path, and those that SIGKILL the coordinator, use it.
       */
      store?: 'postgres' | 'embedded';
      /** Another workspace than harbor-quote's (called again, for new ports, when one was taken). */
      create?: () => Promise<SystemWorkspace>;
    } = {},
  ): Promise<System> {
    let system: System;
    // Free ports are picked before they are bound, so a test file running beside this one can take
    // one first; then the start fails naming the address, and a fresh workspace gets new ports.
    for (let attempt = 1; ; attempt++) {
      const workspace = options.create
        ? await options.create()
        : await createDemoWorkspace({
            errorReporting: false,
            pickPort: reservePort,
            // One proxy worker (the parent/worker topology, one process fewer): an idle test system's proxy and its
            // two workers cost ~1 s of CPU per 30 s, and files run two at a time on two cores.
            proxy: 'workers: 1',
            ...options,
          });
      const env = { ...(typeof options.env === 'function' ? options.env(workspace) : options.env) };
      let database: PostgresDatabase | undefined;
      if (env.DATABASE_URL === undefined && options.store !== 'embedded') {
        database = await createPostgresDatabase();
        env.DATABASE_URL = database.url;
      } else seedWorkspaceStore(workspace);
      system = new System(workspace, env, database);
      watchLogs(system.tag, path.join(workspace.dir, '.slipway', 'logs'));
      system.client = new ApiClient(`http://127.0.0.1:${system.workspace.ports.coordinator}`, system.token);
      try {
        await system.startCoordinator();
        await system.applyConfig();
        break;
      } catch (e) {
        await new Promise((r) => setTimeout(r, 300)); // let the piped output reach the file
        const output = readFileSync(path.join(system.workspace.dir, 'coordinator-test.out'), 'utf8');
        killTagged('SLIPWAY_TEST_RUN', system.tag);
        releaseLogs(system.tag);
        rmSync(system.workspace.dir, { recursive: true, force: true });
        await database?.drop();
        const portTaken = /already in use/.test(output) || /cannot serve on/.test((e as Error).message);
        if (attempt >= 3 || !portTaken) throw new Error(`${(e as Error).message}\n${output.slice(-2000)}`);
      }
    }
    return system;
  }

  private async applyConfig(): Promise<void> {
    const { config, raw } = await loadConfigWithRaw(this.workspace.configPath);
    // Applied as `slipway deploy` applies it (naming the file), so the CLI finds it unchanged and a
    // token without admin can deploy.
    await this.client.call('PUT', `/api/v1/projects/${config.project}`, {
      config: raw,
      baseDir: config.baseDir,
      file: this.workspace.configPath,
    });
  }

  /** Run the slipway CLI on this system's slipway.yaml, as the admin or with another token. */
  cli(args: string[], token = this.token): ReturnType<typeof runSlipway> {
    return runSlipway(['--config', this.workspace.configPath, ...args], {
      env: { SLIPWAY_TOKEN: token, SLIPWAY_TEST_RUN: this.tag },
    });
  }

  /** The project's instances in `environment`, as the API lists them, stopped ones too. */
  async instances<T = InstanceView>(environment = 'staging'): Promise<T[]> {
    const { instances } = await this.client.call<{ instances: T[] }>(
      'GET',
      `/api/v1/instances?project=${this.project}&environment=${environment}`,
    );
    return instances;
  }

  /** Those of its instances that are not stopped. */
  async liveInstances(environment = 'staging'): Promise<InstanceView[]> {
    return (await this.instances(environment)).filter((i) => i.state !== 'stopped');
  }

  get stagingUrl(): string {
    return `http://127.0.0.1:${this.workspace.ports.staging}`;
  }

  get productionUrl(): string {
    return `http://127.0.0.1:${this.workspace.ports.production}`;
  }

  /** Start the coordinator process and wait until it answers. */
  async startCoordinator(): Promise<void> {
    const [node, args] = entryCommand('src/cli/main.ts', ['coordinator', '--config', this.workspace.configPath]);
    const out = createWriteStream(path.join(this.workspace.dir, 'coordinator-test.out'), { flags: 'a' });
    const child = spawn(node, args, {
      env: { ...process.env, ...this.env, SLIPWAY_TOKEN: this.token, SLIPWAY_TEST_RUN: this.tag },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    this.coordinator = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`coordinator exited with ${code}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([
      until('the coordinator to answer', async () => (await this.healthz()) || false, 90_000),
      exited,
    ]);
  }

  /** SIGKILL the coordinator (instances and proxy keep running). */
  async killCoordinator(): Promise<void> {
    const child = this.coordinator;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async healthz(): Promise<boolean> {
    try {
      const res = await request(`http://127.0.0.1:${this.workspace.ports.coordinator}/healthz`, {
        headersTimeout: 2000,
      });
      await res.body.dump();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  /** POST a deployment; returns it (running or queued). */
  async deploy(
    version: string,
    extra: {
      environment?: string;
      strategy?: string;
      set?: Record<string, string>;
      queue?: boolean;
      /** Default quote-api. */
      service?: string;
    } = {},
  ): Promise<DeploymentView> {
    const { deployment } = await this.client.call<{ deployment: DeploymentView }>(
      'POST',
      `/api/v1/projects/${this.project}/deployments`,
      {
        service: extra.service ?? 'quote-api',
        environment: extra.environment ?? 'staging',
        version,
        ...(extra.strategy ? { strategy: extra.strategy } : {}),
        ...(extra.set ? { set: extra.set } : {}),
        ...(extra.queue ? { queue: true } : {}),
      },
    );
    return deployment;
  }

  /** Follow a deployment to its end. */
  finish(id: string): Promise<DeploymentView> {
    return followDeployment(this.client, id, () => undefined);
  }

  /** Deploy and wait. */
  async deployed(version: string, extra: Parameters<System['deploy']>[1] = {}): Promise<DeploymentView> {
    return this.finish((await this.deploy(version, extra)).id);
  }

  /** Stop everything: ask the coordinator to stop instances and proxy, then kill whatever carries our tag. */
  async close(): Promise<void> {
    try {
      if (!(await this.healthz())) await this.startCoordinator().catch(() => undefined);
      await this.client.call('POST', '/api/v1/system/shutdown', { stopInstances: true }).catch(() => undefined);
      await until('the coordinator to exit', () => this.coordinator?.exitCode !== null, 60_000).catch(() => undefined);
    } finally {
      killTagged('SLIPWAY_TEST_RUN', this.tag);
      // KEEP_TEST_LOGS=DIR keeps the coordinator's, proxy's and instances' logs for a post-mortem.
      const keep = process.env.KEEP_TEST_LOGS;
      const logs = path.join(this.workspace.dir, '.slipway', 'logs');
      if (keep && existsSync(logs)) cpSync(logs, path.join(keep, this.tag), { recursive: true });
      releaseLogs(this.tag);
      rmSync(this.workspace.dir, { recursive: true, force: true });
      await this.database?.drop();
    }
  }
}
