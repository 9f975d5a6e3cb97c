import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixtureSpec } from '../../../test/support/local-runtime.js';
import type { Clock } from '../../shared/clock.js';
import type { InstanceHandle, InstanceSpec, InstanceStatus, RuntimeEvent } from '../runtime.js';
import type { ContainerRuntime } from './container-runtime.js';
import { HostContainers } from './host-containers.js';

/**
 * A restarted coordinator adopting containers on an SSH host that does not answer (nothing listens on its port):
 * the adopt resolves, the host's instance counts down naming the host, the others adopt as usual. Real HostContainers
 * and per-host ContainerRuntime (their connection refused at once); this machine's engine is a stand-in. Moving to
 * another host and ending the container left behind are host-moves.test.ts and
 * test/container-ssh-adopt-host-down.test.ts (real sshd and dockerd).
 */

/** A port on 127.0.0.1 that nothing listens on (taken and given back). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A clock whose sleeps end only when aborted: no retry or second poll happens during a test. */
const stillClock: Clock = {
  now: () => 1_000_000,
  sleep: (_ms, signal) =>
    new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })),
};

const privateKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
/** A line of the key's body: what a leak would show even if reformatted. */
const keyLine = privateKey.split('\n')[3]!;

const work = mkdtempSync(join(tmpdir(), 'host-containers-adopt-'));
let runtime: HostContainers | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function setup() {
  const down = `ssh://deploy@127.0.0.1:${await closedPort()}`;
  const adoptedLocally: string[] = [];
  const local = {
    subscribe: () => () => undefined,
    async adopt(records: { spec: InstanceSpec }[]): Promise<InstanceStatus[]> {
      adoptedLocally.push(...records.map((r) => r.spec.instanceId));
      return records.map((r) => ({
        instanceId: r.spec.instanceId,
        state: 'healthy',
        address: '127.0.0.1:1',
        restarts: 0,
      }));
    },
    list: () => [],
    close: async () => undefined,
  } as unknown as ContainerRuntime;
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  runtime = new HostContainers({
    local,
    hostsFor: (spec) => (spec.service === 'local' ? [] : [down]),
    knownHostsFile: join(work, 'known-hosts.json'),
    credentials: async () => ({ privateKey }),
    clock: stillClock,
    logger,
  });
  const events: RuntimeEvent[] = [];
  runtime.subscribe((e) => events.push(e));
  const spec = fixtureSpec();
  const handle: InstanceHandle = {
    runtime: 'container',
    address: '127.0.0.1:32768',
    containerId: 'c0ffee0c0ffee0',
    startedAt: '2026-01-01T00:00:00Z',
    pid: 7,
    restarts: 1,
    host: down,
  };
  const localSpec = fixtureSpec({ service: 'local' });
  const localHandle = { ...handle, containerId: 'beef0beef0beef', host: undefined };
  return { runtime, down, spec, handle, localSpec, localHandle, adoptedLocally, events, logs };
}

describe('adopting containers on an SSH host that does not answer', () => {
  it('resolves: that host’s instance is down naming the host, the others adopt; no key in events, logs', async () => {
    const { runtime, down, spec, handle, localSpec, localHandle, adoptedLocally, events, logs } = await setup();
    const label = down.slice('ssh://'.length);
    const statuses = await runtime.adopt([
      { spec, handle },
      { spec: localSpec, handle: localHandle },
    ]);
    expect(statuses.map((s) => [s.instanceId, s.state])).toEqual([
      [spec.instanceId, 'crashed'],
      [localSpec.instanceId, 'healthy'],
    ]);
    expect(adoptedLocally).toEqual([localSpec.instanceId]);
    const why = `host ${label} did not answer when the coordinator restarted`;
    expect(statuses[0]).toMatchObject({ restarts: 1, address: '127.0.0.1:32768' });
    expect(statuses[0]!.message).toContain(why);
    // Its only host is the one down: it waits for a host to answer, listed crashed with why.
    expect(statuses[0]!.message).toContain('no other host answers');
    const exit = events.find((e) => e.type === 'exit');
    expect(exit).toMatchObject({ instanceId: spec.instanceId, reason: expect.stringContaining(why) });
    expect(runtime.list().find((s) => s.instanceId === spec.instanceId)?.state).toBe('crashed');
    expect(JSON.stringify(events)).not.toContain(keyLine);
    expect(logs.join('')).toContain(why);
    expect(logs.join('')).not.toContain(keyLine);
    // Stopped while down: stopped, without a word to the host.
    await runtime.stop(spec.instanceId);
    expect(runtime.list().find((s) => s.instanceId === spec.instanceId)).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'state', status: { instanceId: spec.instanceId, state: 'stopped' } });
  });

  it('a record of another runtime fails the adopt before anything is adopted, local instances included', async () => {
    const { runtime, spec, handle, localSpec, localHandle, adoptedLocally, events } = await setup();
    const other = { spec: fixtureSpec(), handle: { ...handle, runtime: 'ssh' } };
    await expect(
      runtime.adopt([{ spec: localSpec, handle: localHandle }, { spec, handle }, other]),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(adoptedLocally).toEqual([]);
    expect(events).toEqual([]);
    expect(runtime.list()).toEqual([]);
  });
});
