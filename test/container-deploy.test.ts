import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOn, useDockerEngine, type TestEngine } from './support/docker.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * harbor-quote deployed in containers by a real coordinator on a real dockerd (test/support/docker.ts),
 * traffic through the built-in proxy: an image per release on this machine's node, ports published on
 * 127.0.0.1, the memory limit from `container:`, `slipway logs` from the Engine API, and a restarted
 * coordinator adopting the same containers.
 */

let engine: TestEngine;
let system: System;

/** `docker ps --format`: a container's id and the Slipway instance it runs. */
const idAndInstance = '{{.ID}} {{.Label "dev.slipway.instance"}}';

const docker = (...args: string[]) => dockerOn(engine, ...args);

const instances = () => system.liveInstances();

/** Every instance this file's coordinator ever recorded, stopped ones too. */
async function ownInstanceIds(): Promise<Set<string>> {
  return new Set((await system.instances()).map((i) => i.id));
}

/**
 * Running containers of this file's harbor-quote: instance id → [container id, memory limit]. Only this coordinator's
 * instances: test/container-ssh.test.ts runs harbor-quote containers on the same dockerd, maybe at the same time.
 */
async function containers(): Promise<Map<string, { id: string; memory: number }>> {
  const own = await ownInstanceIds();
  const ids = docker('ps', '-q', '--no-trunc', '--filter', 'label=dev.slipway.project=harbor-quote');
  const found = new Map<string, { id: string; memory: number }>();
  for (const id of ids ? ids.split('\n') : []) {
    const [instance, memory] = docker(
      'inspect',
      '-f',
      '{{index .Config.Labels "dev.slipway.instance"}} {{.HostConfig.Memory}}',
      id,
    ).split(' ');
    if (own.has(instance!)) found.set(instance!, { id, memory: Number(memory) });
  }
  return found;
}

async function versionsServed(n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await request(`${system.stagingUrl}/version`);
    expect(res.statusCode).toBe(200);
    seen.push(((await res.body.json()) as { release: string }).release);
  }
  return seen;
}

describe('containers: harbor-quote in Docker containers through the proxy', () => {
  beforeAll(async () => {
    engine = await useDockerEngine();
    system = await System.start({
      store: 'embedded',
      instances: 2,
      environmentExtras: { staging: 'container: { memory: 128MiB }' },
      env: { DOCKER_HOST: `unix://${engine.socketPath}` },
    });
  }, 180_000);

  afterAll(async () => {
    // This coordinator's containers only (another file's may run on the same dockerd): read before it stops.
    const own = system ? await ownInstanceIds().catch(() => new Set<string>()) : new Set<string>();
    await system?.close();
    if (engine) {
      // One listing with each container's instance label: another file's containers may be removed meanwhile, and
      // an inspect of one that went away failed this cleanup (CI).
      const left = docker('ps', '-a', '--filter', 'label=dev.slipway.project=harbor-quote', '--format', idAndInstance);
      const mine = (left ? left.split('\n') : [])
        .map((line) => line.split(' '))
        .filter(([, instance]) => instance !== undefined && own.has(instance))
        .map(([id]) => id!);
      if (mine.length > 0) docker('rm', '-f', ...mine);
      await engine.release();
    }
  }, 120_000);

  it('deploys 1.0.0 then 2.0.0 blue-green in containers with the memory limit, served through the proxy', async () => {
    const first = await system.deployed('1.0.0');
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    const live = await instances();
    expect(live).toHaveLength(2);
    for (const i of live) expect(i.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const running = await containers();
    expect([...running.keys()].sort()).toEqual(live.map((i) => i.id).sort());
    for (const c of running.values()) expect(c.memory).toBe(128 * 1024 * 1024);
    expect(new Set(await versionsServed(6))).toEqual(new Set(['1.0.0']));

    const second = await system.deployed('2.0.0');
    expect(second.state, JSON.stringify(second)).toBe('succeeded');
    expect(new Set(await versionsServed(6))).toEqual(new Set(['2.0.0']));
    // The old release's containers were stopped (drained): only the new ones run.
    const now = await instances();
    await until('only the new containers to run', async () => (await containers()).size === now.length, 60_000, 250);
    expect([...(await containers()).keys()].sort()).toEqual(now.map((i) => i.id).sort());
  }, 240_000);

  it('slipway logs reads the containers logs through the Engine API', async () => {
    const logs = await system.cli(['logs', 'quote-api', '--env', 'staging', '--tail', '20']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/harbor-quote 2\.0\.0 .* listening on 0\.0\.0\.0:8080/);
  }, 60_000);

  it('a restarted coordinator adopts the same containers at the same addresses', async () => {
    const before = await instances();
    const containersBefore = await containers();
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
    expect(await containers()).toEqual(containersBefore);
    expect(new Set(await versionsServed(6))).toEqual(new Set(['2.0.0']));
  }, 180_000);
});
