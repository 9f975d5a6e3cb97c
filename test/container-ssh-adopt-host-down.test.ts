import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerOfInstance, dockerOn, useDockerEngine, type TestEngine } from './support/docker.js';
import { closeSystemOnHosts, dockerSshHosts, startSystemOnHosts } from './support/docker-ssh-hosts.js';
import { until } from './support/processes.js';
import type { SshTestHosts } from './support/ssh-hosts.js';
import type { System } from './support/system.js';

/**
 * Containers on two SSH hosts (127.0.0.68 and .69, real sshd, harbor-quote through a real coordinator and the built-in
 * proxy). The coordinator stops; one host's sshd stops too; the coordinator starts again on the same data directory
 * while that host does not answer. It must start and adopt the rest (issue 14): the down host's instance counts down
 * naming the host and starts on the other host, traffic goes on; when the host answers again, the container left
 * there is ended, so the instance never runs twice. test/container-ssh-host-failure.test.ts is the same host lost
 * while the coordinator runs.
 */

let engine: TestEngine;
let sshHosts: SshTestHosts;
let dockerHosts: Awaited<ReturnType<typeof dockerSshHosts>> | undefined;
let system: System | undefined;
/** The container left on the down host (renamed, so the cleanup by name would miss it). */
let leftBehind = '';
/** Our instances, known before the coordinator stops: a coordinator that cannot start again cannot list them. */
const ownIds = new Set<string>();
const work = mkdtempSync(join(tmpdir(), 'container-ssh-adopt-down-'));

const docker = (...args: string[]) => dockerOn(engine, ...args);

/** `docker …` that may fail because the container is gone or not in that state already. */
const tryDocker = (...args: string[]) => {
  try {
    docker(...args);
  } catch {
    // gone already, or not paused
  }
};

const instances = () => system!.liveInstances();

const containerOf = (instanceId: string) => containerOfInstance(engine, instanceId);

beforeAll(async () => {
  engine = await useDockerEngine();
  dockerHosts = await dockerSshHosts(engine, 2, 68);
  sshHosts = dockerHosts.ssh;
  system = await startSystemOnHosts(sshHosts, work);
}, 180_000);

afterAll(async () => {
  try {
    const own = await closeSystemOnHosts(system);
    for (const id of new Set([...own, ...ownIds])) {
      const container = engine ? containerOf(id) : '';
      if (container) docker('rm', '-f', container);
    }
  } finally {
    if (leftBehind) for (const step of [['unpause'], ['rm', '-f']]) tryDocker(...step, leftBehind);
    dockerHosts?.stop();
    await engine?.release();
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);

describe('containers on SSH hosts: a host down when the coordinator restarts', () => {
  it('adopts the rest, moves the down host’s instance to the other host, ends its container once back', async () => {
    const s = system!;
    const first = await s.deployed('1.0.0');
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    const down = sshHosts.hosts[0]!;
    const other = sshHosts.hosts[1]!;
    const before = await instances();
    for (const i of before) ownIds.add(i.id);
    expect(before.map((i) => i.address.split(':')[0]).sort()).toEqual([down.address, other.address]);
    const victim = before.find((i) => i.address.startsWith(`${down.address}:`))!;
    const stays = before.find((i) => i.id !== victim.id)!;
    const container = containerOf(victim.id);
    expect(container).not.toBe('');
    leftBehind = container;

    await s.killCoordinator();
    // The host goes down while no coordinator runs: its sshd stops (nothing answers on its port) and its container is
    // frozen. Both "hosts" share this machine's one dockerd: the container is renamed, so that starting the instance on
    // the other host (same name) does not remove it as it would on the same engine; on a real host it stays.
    down.kill();
    docker('pause', container);
    docker('rename', container, `left-${victim.id}`);

    await s.startCoordinator();
    const moved = await until(
      'the instance to be healthy on the other host',
      async () => {
        const now = (await instances()).find((i) => i.id === victim.id);
        return now?.state === 'healthy' && now.address.startsWith(`${other.address}:`) && now;
      },
      90_000,
      250,
    );
    expect(moved.release).toBe('1.0.0');
    expect(s.coordinator?.exitCode).toBeNull();
    // The instance on the host that answers was adopted where it was, and `instances: 2` is met on that host.
    const live = await instances();
    expect(live.find((i) => i.id === stays.id)).toMatchObject({ state: 'healthy', address: stays.address });
    expect(live.filter((i) => i.state === 'healthy').map((i) => i.address.split(':')[0])).toEqual([
      other.address,
      other.address,
    ]);
    const { events } = await s.client.call<{ events: { kind: string; message: string }[] }>(
      'GET',
      '/api/v1/events?project=harbor-quote&limit=200',
    );
    const crashed = events.find((e) => e.kind === 'instance.crashed' && e.message.includes(victim.id));
    expect(crashed?.message).toContain(
      `is down: host ${down.user}@${down.address}:${down.port} did not answer when the coordinator restarted`,
    );
    expect(JSON.stringify(events)).not.toContain('PRIVATE KEY');
    // Traffic goes on through the proxy, all to the host that answers (the frozen container would not answer).
    for (let i = 0; i < 6; i++) {
      const res = await request(`${s.stagingUrl}/version`, { headersTimeout: 10_000 });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { release: string }).release).toBe('1.0.0');
    }
    expect(docker('inspect', '-f', '{{.State.Running}}', container)).toBe('true');

    // The host answers again, its container running on: the coordinator ends it, so the instance runs once.
    docker('unpause', container);
    await down.restart();
    await until(
      'the container left on the host to be ended',
      async () => docker('inspect', '-f', '{{.State.Running}}', container) === 'false',
      60_000,
      250,
    );
    const after = (await instances()).find((i) => i.id === victim.id);
    expect(after).toMatchObject({ state: 'healthy', address: moved.address });
  }, 240_000);
});
