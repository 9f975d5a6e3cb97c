import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerRuntime, type ContainerRuntimeOptions } from '../src/runtimes/container/index.js';
import type { RuntimeEvent } from '../src/runtimes/runtime.js';
import { dockerOn, useDockerEngine, type TestEngine } from './support/docker.js';
import { fixtureScript, fixtureSpec, httpRequest, waitFor } from './support/local-runtime.js';
import { until } from './support/processes.js';
import type { SshTestHosts } from './support/ssh-hosts.js';
import { closeSystemOnHosts, dockerSshHosts, startSystemOnHosts } from './support/docker-ssh-hosts.js';
import type { System } from './support/system.js';

/**
 * The container runtime with the Docker Engine of an SSH host (docker-modem's `protocol: 'ssh'`: `docker system
 * dial-stdio` over SSH). The hosts are this machine's sshd test hosts (test/support/ssh-hosts.ts) whose users reach
 * the test dockerd through its socket's group for this file's run; DOCKER_HOST is set for them by sshd. The hosts
 * share this machine's one dockerd, so "shipped once per host" is seen as one image per release content.
 */

let engine: TestEngine;
let sshHosts: SshTestHosts;
let dockerHosts: Awaited<ReturnType<typeof dockerSshHosts>> | undefined;
const work = mkdtempSync(join(tmpdir(), 'container-ssh-'));
const release = join(work, 'release');
const knownHostsFile = join(work, 'known_hosts.json');

beforeAll(async () => {
  engine = await useDockerEngine();
  mkdirSync(release);
  copyFileSync(fixtureScript, join(release, 'instance-server.mjs'));
  dockerHosts = await dockerSshHosts(engine, 2, 60);
  sshHosts = dockerHosts.ssh;
}, 120_000);

afterAll(async () => {
  dockerHosts?.stop();
  await engine?.release();
  rmSync(work, { recursive: true, force: true });
});

/**
 * A fixture instance with an environment label of this file's own: the contract files clean up project `demo`'s
 * containers of their environments on the same test dockerd, possibly while this file runs.
 */
const hostSpec = () => fixtureSpec({ environment: 'ssh-hosts', cwd: release, args: ['instance-server.mjs'] });

function runtimeFor(index: number, options: Partial<ContainerRuntimeOptions> = {}): ContainerRuntime {
  const host = sshHosts.hosts[index]!;
  return new ContainerRuntime({
    ssh: { url: host.url, knownHostsFile, credentials: { privateKey: sshHosts.privateKey } },
    publishHost: host.address,
    pollMs: 300,
    ...options,
  });
}

/**
 * A release whose instance serves /health and, on POST /grow, fills memory until the kernel kills it: Buffer.alloc
 * with a fill value touches every page, and buffers live outside V8's heap, so no heap limit ends it first.
 */
function hogRelease(): string {
  const dir = join(work, 'hog-release');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'hog.mjs'),
    [
      "import { createServer } from 'node:http';",
      'const hoard = [];',
      'createServer((req, res) => {',
      "  if (req.url === '/grow') for (;;) hoard.push(Buffer.alloc(16 * 2 ** 20, 1));",
      "  res.end('ok');",
      '}).listen(Number(process.env.PORT), process.env.SLIPWAY_LISTEN_HOST);',
      '',
    ].join('\n'),
  );
  return dir;
}

/** `docker ps --format`: a container's id and the Slipway instance it runs. */
const idAndInstance = '{{.ID}} {{.Label "dev.slipway.instance"}}';

const docker = (...args: string[]) => dockerOn(engine, ...args);

describe('containers on SSH hosts: harbor-quote on two hosts through the proxy', () => {
  let system: System;
  const instances = () => system.liveInstances();
  const releaseImages = () =>
    docker('images', '-q', '--filter', 'reference=slipway-release').split('\n').filter(Boolean);

  beforeAll(async () => {
    system = await startSystemOnHosts(sshHosts, work);
  }, 180_000);

  afterAll(async () => {
    const own = await closeSystemOnHosts(system);
    // One listing with each container's instance label: another file's containers may be removed meanwhile, and
    // an inspect of one that went away failed this cleanup (CI).
    const left = docker('ps', '-a', '--filter', 'label=dev.slipway.project=harbor-quote', '--format', idAndInstance);
    const mine = (left ? left.split('\n') : [])
      .map((line) => line.split(' '))
      .filter(([, instance]) => instance !== undefined && own.has(instance))
      .map(([id]) => id!);
    if (mine.length > 0) docker('rm', '-f', ...mine);
  }, 120_000);

  it('deploys 1.0.0 then 2.0.0 blue-green, a container per host, no failed request, the image reused', async () => {
    const first = await system.deployed('1.0.0');
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    const live = await instances();
    const addresses = sshHosts.hosts.map((h) => h.address).sort();
    expect(live.map((i) => i.address.split(':')[0]).sort()).toEqual(addresses);
    const images = releaseImages();
    let failed = 0;
    let served = 0;
    let feeding = true;
    const feed = (async () => {
      while (feeding) {
        try {
          const res = await request(`${system.stagingUrl}/version`);
          await res.body.text();
          if (res.statusCode === 200) served++;
          else failed++;
        } catch {
          failed++;
        }
      }
    })();
    const second = await system.deployed('2.0.0');
    feeding = false;
    await feed;
    expect(second.state, JSON.stringify(second)).toBe('succeeded');
    expect(failed, `${failed} of ${failed + served} requests failed`).toBe(0);
    expect(served).toBeGreaterThan(10);
    // The new set: one 2.0.0 container per host (blue-green keeps the old set warm, unrouted, for a rollback).
    const now = (await instances()).filter((i) => i.release === '2.0.0');
    expect(now.map((i) => i.address.split(':')[0]).sort()).toEqual(addresses);
    expect(now.every((i) => i.state === 'healthy')).toBe(true);
    // 2.0.0 is the same release directory: its image was reused, not built again. Its containers' images are among
    // those there after 1.0.0 (the whole list may change meanwhile: the contract suite, running beside this file on
    // the same engine, builds and removes images of its own; CI once saw one of its images go).
    const imageOf = (instance: string) =>
      docker('inspect', '-f', '{{.Image}}', `slipway-${instance}`).replace('sha256:', '').slice(0, 12);
    expect(now.map((i) => imageOf(i.id)).filter((image) => !images.includes(image))).toEqual([]);
    const version = await request(`${system.stagingUrl}/version`);
    expect(((await version.body.json()) as { release: string }).release).toBe('2.0.0');
  }, 300_000);

  it('slipway logs reads the containers logs through each host engine', async () => {
    const logs = await system.cli(['logs', 'quote-api', '--env', 'staging', '--tail', '20']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/harbor-quote 2\.0\.0 .* listening on 0\.0\.0\.0:8080/);
  }, 60_000);

  it('a restarted coordinator adopts the same containers on their hosts', async () => {
    const before = await instances();
    await system.killCoordinator();
    await system.startCoordinator();
    await until(
      'every instance healthy again',
      async () => {
        const now = await instances();
        return now.length === before.length && now.every((i) => i.state === 'healthy');
      },
      60_000,
      250,
    );
    const after = await instances();
    expect(after.map((i) => [i.id, i.address]).sort()).toEqual(before.map((i) => [i.id, i.address]).sort());
    const version = await request(`${system.stagingUrl}/version`);
    expect(((await version.body.json()) as { release: string }).release).toBe('2.0.0');
  }, 180_000);
});

describe('containers on SSH hosts', () => {
  it('starts healthy instances through each host’s engine, published on the host’s address', async () => {
    const runtimes = [runtimeFor(0), runtimeFor(1)];
    try {
      for (const [i, runtime] of runtimes.entries()) {
        const spec = hostSpec();
        const handle = await runtime.start(spec);
        expect(handle.address).toMatch(new RegExp(`^${sshHosts.hosts[i]!.address.replace(/\./g, '\\.')}:\\d+$`));
        await waitFor(
          'healthy',
          () => runtime.list().find((s) => s.instanceId === spec.instanceId)?.state === 'healthy',
        );
        const answer = await httpRequest(String(handle.address), '/health');
        expect(answer.status).toBe(200);
        // A second instance of the same release reuses the image on that host's engine.
        const again = hostSpec();
        const started = Date.now();
        await runtime.start(again);
        expect(Date.now() - started).toBeLessThan(15_000);
        await runtime.stop(spec.instanceId);
        await runtime.stop(again.instanceId);
      }
    } finally {
      for (const r of runtimes) await r.close();
    }
  }, 180_000);

  it('gives a container on a host its memory limit; one going over it is killed (SIGKILL), as locally', async () => {
    const limit = 96 * 2 ** 20;
    // A long backoff: the restart would start the same container again and clear its OOMKilled mark.
    const runtime = runtimeFor(0, { memoryBytes: () => limit, restartBackoff: { initialMs: 60_000, maxMs: 60_000 } });
    const events: RuntimeEvent[] = [];
    runtime.subscribe((e) => events.push(e));
    const spec = fixtureSpec({ environment: 'ssh-hosts', cwd: hogRelease(), args: ['hog.mjs'] });
    try {
      const handle = await runtime.start(spec);
      await waitFor('healthy', () => runtime.list().find((s) => s.instanceId === spec.instanceId)?.state === 'healthy');
      const container = String(handle.containerId);
      // The limit as the local runtime sets it: memory and memory+swap alike, so it cannot swap its way past.
      expect(docker('inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}', container)).toBe(
        `${limit} ${limit}`,
      );
      // No answer comes: the instance dies while filling its memory.
      await httpRequest(String(handle.address), '/grow', 'POST').catch(() => undefined);
      const exited = await waitFor('the exit event', () =>
        events.find((e) => e.type === 'exit' && e.instanceId === spec.instanceId),
      );
      // Reported as the local container runtime reports it (containers.ts exitOf): killed by SIGKILL.
      expect(exited).toMatchObject({ exit: { code: null, signal: 'SIGKILL' } });
      expect(docker('inspect', '-f', '{{.State.OOMKilled}}', container)).toBe('true');
      expect(runtime.list().find((s) => s.instanceId === spec.instanceId)?.state).toBe('crashed');
      await runtime.stop(spec.instanceId);
    } finally {
      await runtime.close();
      // Also when the test failed half-way: no container of it is left running.
      try {
        docker('rm', '-f', `slipway-${spec.instanceId}`);
      } catch {
        // never created
      }
    }
  }, 120_000);

  it('refuses a host whose key changed, in one line naming the host and the pinned key', async () => {
    const host = sshHosts.hosts[1]!;
    host.kill();
    rmSync(host.hostKeyFile, { force: true });
    rmSync(`${host.hostKeyFile}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', host.hostKeyFile]);
    await host.restart();
    const runtime = runtimeFor(1);
    try {
      const error = await runtime.start(hostSpec()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('is pinned for it') });
      expect((error as Error).message).not.toContain('\n');
    } finally {
      await runtime.close();
    }
  }, 60_000);
});
