import type Docker from 'dockerode';
import type { InstanceExit, InstanceSpec, InstanceUsage } from '../runtime.js';
import { RuntimeError } from '../local/errors.js';
import { buildInstanceEnv, substitutePort } from '../local/instance-env.js';
import { containerLogLines } from './docker-logs.js';
import { engineMessage, engineStatus, labels } from './engine.js';
import { appDir, type ImageBuilder } from './images.js';

/** One run of a container: what its handle records. */
export interface ContainerRun {
  containerId: string;
  startedAt: string;
  pid: number;
  /** The published port on the runtime's host address. */
  port: number;
}

/** What the engine says about a container now. */
export interface ContainerState {
  running: boolean;
  startedAt: string;
  exitCode: number | null;
  /** Killed by the kernel for going over its memory limit. */
  oomKilled: boolean;
  pid: number;
}

/** The exit of a container that is not running (or is gone). */
export function exitOf(state: ContainerState | undefined, at: number): InstanceExit {
  const code = state?.exitCode ?? null;
  // The init process reports a signal death as 128 + the signal number, as a shell does.
  if (state?.oomKilled || code === 137) return { code: null, signal: 'SIGKILL', at };
  if (code === 143) return { code: null, signal: 'SIGTERM', at };
  return { code, signal: null, at };
}

/** Options for {@link Containers}. */
export interface ContainersOptions {
  /** Address published ports bind to on this machine (default 127.0.0.1). */
  host: string;
  /** Port the instance listens on inside its container (PORT, `{port}`; default 8080). */
  containerPort: number;
  /** Memory limit of an instance's container, in bytes (undefined: none). */
  memoryBytes(spec: InstanceSpec): number | undefined;
  /** The environment's secrets, asked for when a container is created. */
  secretEnv(spec: InstanceSpec): Promise<Record<string, string>>;
}

const searchPath = ['/usr/local/bin', '/usr/bin', '/bin'];

/** The Docker Engine calls the container runtime makes, one concept each. */
export class Containers {
  readonly host: string;

  constructor(
    readonly docker: Docker,
    private readonly images: ImageBuilder,
    private readonly options: ContainersOptions,
  ) {
    this.host = options.host;
  }

  /** The container name of an instance: one container per instance, reused across its restarts. */
  static nameOf(instanceId: string): string {
    return `slipway-${instanceId}`;
  }

  /** Build (or reuse) the release's image, create the instance's container and start it. */
  async create(spec: InstanceSpec): Promise<ContainerRun> {
    const image = await this.images.releaseImage(spec.cwd);
    const port = this.options.containerPort;
    const env = buildInstanceEnv(spec, port, {}, await this.options.secretEnv(spec));
    env.SLIPWAY_LISTEN_HOST = '0.0.0.0'; // inside its own network namespace; the engine publishes the port
    const name = Containers.nameOf(spec.instanceId);
    await this.remove(name); // a container left by an earlier life of this instance id
    const memory = this.options.memoryBytes(spec);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name,
        Image: image,
        Cmd: [spec.command, ...substitutePort(spec.args, port)],
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        WorkingDir: appDir,
        ExposedPorts: { [`${port}/tcp`]: {} },
        Labels: {
          [labels.managed]: 'container',
          [labels.instance]: spec.instanceId,
          [labels.project]: spec.project,
          [labels.service]: spec.service,
          [labels.environment]: spec.environment,
          [labels.release]: spec.release,
        },
        HostConfig: {
          // An init as PID 1 forwards SIGTERM to the instance (a bare node as PID 1 would ignore it).
          Init: true,
          PortBindings: { [`${port}/tcp`]: [{ HostIp: this.host, HostPort: '' }] },
          RestartPolicy: { Name: 'no' },
          ...(memory ? { Memory: memory, MemorySwap: memory } : {}),
        },
      });
    } catch (err) {
      throw new RuntimeError('failed', `cannot create a container for ${spec.instanceId}: ${engineMessage(err)}`);
    }
    if (!(await this.hasCommand(container, spec.command))) {
      await this.remove(container.id);
      throw new RuntimeError('failed', `cannot start ${spec.command}: not found in the image of ${spec.cwd}`, {
        instanceId: spec.instanceId,
      });
    }
    return this.startContainer(container.id, spec.command);
  }

  /** Start the instance's container again after a crash (a new one when it is gone). */
  async restart(spec: InstanceSpec, containerId: string | undefined): Promise<ContainerRun> {
    if (containerId && (await this.state(containerId))) return this.startContainer(containerId, spec.command);
    return this.create(spec);
  }

  /** Its state, or undefined when the engine does not know it. */
  async state(containerId: string): Promise<ContainerState | undefined> {
    try {
      const info = await this.docker.getContainer(containerId).inspect();
      return {
        running: info.State.Running,
        startedAt: info.State.StartedAt,
        exitCode: info.State.Running ? null : info.State.ExitCode,
        oomKilled: info.State.OOMKilled,
        pid: info.State.Pid,
      };
    } catch (err) {
      if (engineStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** Which of this runtime's containers run now, by container id (one engine call for all of them). */
  async runningIds(): Promise<Set<string>> {
    const list = await this.docker.listContainers({
      all: false,
      filters: { label: [`${labels.managed}=container`] },
    });
    return new Set(list.map((c) => c.Id));
  }

  /** This runtime's containers that are not running and finished before `before` (ms since the epoch). */
  async stoppedBefore(before: number): Promise<{ containerId: string; instanceId: string }[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${labels.managed}=container`], status: ['exited', 'created', 'dead'] },
    });
    const old: { containerId: string; instanceId: string }[] = [];
    for (const c of list) {
      const info = await this.docker
        .getContainer(c.Id)
        .inspect()
        .catch(() => undefined);
      const finished = Date.parse(info?.State.FinishedAt ?? '');
      if (!info || info.State.Running || !(finished > 0 && finished < before)) continue;
      old.push({ containerId: c.Id, instanceId: c.Labels[labels.instance] ?? '' });
    }
    return old;
  }

  /** SIGTERM, up to `drainMs` for it to end, then SIGKILL; resolves once it is not running. */
  async terminate(containerId: string, drainMs: number, goneMs: number): Promise<void> {
    const stopped = async () => !(await this.state(containerId))?.running;
    await this.signal(containerId, 'SIGTERM');
    const drainUntil = Date.now() + drainMs;
    while (Date.now() < drainUntil) {
      if (await stopped()) return;
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, drainUntil - Date.now()))));
    }
    await this.signal(containerId, 'SIGKILL');
    const until = Date.now() + goneMs;
    while (!(await stopped()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  kill(containerId: string): Promise<void> {
    return this.signal(containerId, 'SIGKILL');
  }

  /** The last lines of its log. */
  async tail(containerId: string, lines: number): Promise<string[]> {
    const out: string[] = [];
    for await (const line of containerLogLines(this.docker, containerId, { tail: lines })) out.push(line.text);
    return out;
  }

  /** CPU time and memory from the engine's stats (cgroup): memory without the page cache, as `docker stats`. */
  async usage(containerId: string, at: number): Promise<InstanceUsage | undefined> {
    const stats = (await this.docker
      .getContainer(containerId)
      .stats({ stream: false, 'one-shot': true } as never)) as unknown as {
      cpu_stats?: { cpu_usage?: { total_usage?: number } };
      memory_stats?: { usage?: number; stats?: Record<string, number> };
    };
    const usage = stats.memory_stats?.usage;
    const cpu = stats.cpu_stats?.cpu_usage?.total_usage;
    if (usage === undefined || cpu === undefined) return undefined;
    const cache = stats.memory_stats?.stats?.total_inactive_file ?? stats.memory_stats?.stats?.inactive_file ?? 0;
    return { cpuSeconds: cpu / 1e9, rssBytes: Math.max(0, usage - cache), at };
  }

  async remove(nameOrId: string): Promise<void> {
    try {
      await this.docker.getContainer(nameOrId).remove({ force: true });
    } catch (err) {
      if (engineStatus(err) !== 404 && engineStatus(err) !== 409) throw err;
    }
  }

  private async signal(containerId: string, signal: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).kill({ signal });
    } catch (err) {
      // 409: not running; 404: gone. Either way there is nothing left to signal.
      if (engineStatus(err) !== 409 && engineStatus(err) !== 404) throw err;
    }
  }

  private async startContainer(containerId: string, command: string): Promise<ContainerRun> {
    const container = this.docker.getContainer(containerId);
    try {
      await container.start();
    } catch (err) {
      if (engineStatus(err) === undefined) throw err;
      throw new RuntimeError('failed', `cannot start ${command} in container ${containerId}: ${engineMessage(err)}`);
    }
    const info = await container.inspect();
    const binding = Object.values(info.NetworkSettings.Ports ?? {})[0]?.[0];
    const port = Number(binding?.HostPort);
    if (!Number.isInteger(port) || port <= 0)
      throw new RuntimeError('failed', `container ${containerId} has no published port`);
    return { containerId: info.Id, startedAt: info.State.StartedAt, pid: info.State.Pid, port };
  }

  /** Is `command` a file in the (created, not started) container: as a path, or on its PATH? */
  private async hasCommand(container: Docker.Container, command: string): Promise<boolean> {
    const candidates = command.startsWith('/')
      ? [command]
      : command.includes('/')
        ? [`${appDir}/${command}`]
        : searchPath.map((dir) => `${dir}/${command}`);
    for (const path of candidates) {
      try {
        await container.infoArchive({ path });
        return true;
      } catch (err) {
        if (engineStatus(err) !== 404) throw err;
      }
    }
    return false;
  }
}
