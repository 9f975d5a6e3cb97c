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
 * Containers on two SSH hosts (127.0.0.63 and .64, real sshd, harbor-quote through a real coordinator and the built-in
 * proxy); one host stops answering: its instance counts as down, starts on the other host so `instances` is met, and
 * the event names the lost host — as test/ssh-hosts-deploy.test.ts checks it for processes on SSH hosts.
 */

let engine: TestEngine;
let sshHosts: SshTestHosts;
let dockerHosts: Awaited<ReturnType<typeof dockerSshHosts>> | undefined;
let system: System;
const work = mkdtempSync(join(tmpdir(), 'container-ssh-failure-'));

const docker = (...args: string[]) => dockerOn(engine, ...args);

const instances = () => system.liveInstances();

const containerOf = (instanceId: string) => containerOfInstance(engine, instanceId);

beforeAll(async () => {
  engine = await useDockerEngine();
  dockerHosts = await dockerSshHosts(engine, 2, 63);
  sshHosts = dockerHosts.ssh;
  system = await startSystemOnHosts(sshHosts, work);
}, 180_000);

afterAll(async () => {
  const own = await closeSystemOnHosts(system);
  for (const id of own) {
    const container = engine ? containerOf(id) : '';
    if (container) docker('rm', '-f', container);
  }
  dockerHosts?.stop();
  await engine?.release();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('containers on SSH hosts: a host that stops answering', () => {
  it('counts its instance down, starts it on the other host so instances is met; the event names it', async () => {
    const first = await system.deployed('1.0.0');
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    const lost = sshHosts.hosts[0]!;
    const other = sshHosts.hosts[1]!;
    const before = await instances();
    expect(before.map((i) => i.address.split(':')[0]).sort()).toEqual([lost.address, other.address]);
    const victim = before.find((i) => i.address.startsWith(`${lost.address}:`))!;
    const container = containerOf(victim.id);
    expect(container).not.toBe('');
    // The machine stops: neither its engine (reached only through its sshd) nor its instance answers. Both "hosts" use
    // this machine's one dockerd, which the other host needs, so the host's sshd and sessions (dial-stdio included)
    // get SIGSTOP and its container is frozen with `docker pause` instead of the whole engine stopping.
    try {
      lost.pause();
      docker('pause', container);
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
      // `instances: 2` is met again, both on the host that answers.
      const live = await instances();
      expect(live.filter((i) => i.state === 'healthy').map((i) => i.address.split(':')[0])).toEqual([
        other.address,
        other.address,
      ]);
      const { events } = await system.client.call<{ events: { kind: string; message: string }[] }>(
        'GET',
        '/api/v1/events?project=harbor-quote&limit=200',
      );
      const crashed = events.find((e) => e.kind === 'instance.crashed' && e.message.includes(victim.id));
      expect(crashed?.message).toContain(`is down: host ${lost.user}@${lost.address}:${lost.port} stopped answering`);
      // Traffic goes on through the proxy, all to the host that answers.
      for (let i = 0; i < 6; i++) {
        const res = await request(`${system.stagingUrl}/version`);
        expect(res.statusCode).toBe(200);
        expect(((await res.body.json()) as { release: string }).release).toBe('1.0.0');
      }
    } finally {
      // The host is gone for good. Its frozen container may be gone already: the other host created the moved
      // instance's container under the same name on the shared dockerd, which removes an older one of that name.
      lost.kill();
      for (const step of [['unpause'], ['rm', '-f']])
        try {
          docker(...step, container);
        } catch {
          // removed already
        }
    }
  }, 240_000);
});
