import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/processes.js';
import { startSshHosts, type SshTestHosts } from './support/ssh-hosts.js';
import { type InstanceView, System } from './support/system.js';

/**
 * harbor-quote deployed across three real OpenSSH hosts (127.0.0.2–4, each its own sshd, host key, user and
 * directory) by a real coordinator, through the built-in proxy: the SSH key comes from Slipway's
 * secrets, releases are shipped once per host, a host that stops answering has its instances
 * replaced on the others, and a restarted coordinator adopts the instances it left on the hosts.
 */

let ssh: SshTestHosts;
let system: System;

const instances = () => system.liveInstances();

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

/** The real uid a process runs as (from /proc/PID/status). */
function processUid(pid: number): string | undefined {
  try {
    return /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
  } catch {
    return undefined;
  }
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

describe('SSH hosts: harbor-quote on three sshd hosts through the proxy', () => {
  beforeAll(async () => {
    ssh = await startSshHosts(3);
    const hosts = ssh.hosts.map((h) => h.url).join(', ');
    system = await System.start({
      store: 'embedded',
      instances: 3,
      environmentExtras: { staging: `hosts: [${hosts}], sshKey: secret:DEPLOY_KEY` },
    });
    const keyFile = join(ssh.root, 'deploy-key');
    writeFileSync(keyFile, ssh.privateKey, { mode: 0o600 });
    const set = await system.cli(['secrets', 'set', 'DEPLOY_KEY', '--env', 'staging', '--from-file', keyFile]);
    expect(set.code, set.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await system?.close();
    ssh?.stop();
  }, 120_000);

  it('deploys 1.0.0 then 2.0.0 blue-green: an instance per host, each release shipped once, proxied', async () => {
    const first = await system.deployed('1.0.0');
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    const live = await instances();
    expect(live.map((i) => i.address.split(':')[0]).sort()).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(new Set(await versionsServed(6))).toEqual(new Set(['1.0.0']));
    // Each host its own user (as root: slipway-h2, -h3, -h4), and its instance runs as that user.
    if (process.getuid?.() === 0) expect(new Set(ssh.hosts.map((h) => h.user)).size).toBe(3);
    for (const h of ssh.hosts) {
      const uid = execFileSync('id', ['-u', h.user], { encoding: 'utf8' }).trim();
      const serving = h.processes().filter((pid) => cmdline(pid).includes('server.js'));
      expect(serving.length, h.url).toBeGreaterThan(0);
      for (const pid of serving) expect(processUid(pid), `${h.url} pid ${pid}`).toBe(uid);
    }

    const second = await system.deployed('2.0.0');
    expect(second.state, JSON.stringify(second)).toBe('succeeded');
    expect(new Set(await versionsServed(6))).toEqual(new Set(['2.0.0']));
    // Same directory, same content: each host got it once, and 2.0.0 reused it.
    for (const h of ssh.hosts) {
      const releases = readdirSync(join(h.dir, 'releases')).filter((f) => !f.endsWith('.tar'));
      expect(releases, h.url).toHaveLength(1);
    }
    // The secret holding the SSH key never reaches an instance's environment.
    const env = await request(`${system.stagingUrl}/version`);
    expect(await env.body.text()).not.toContain('PRIVATE KEY');
  }, 240_000);

  it('slipway logs reads the instances logs from their hosts', async () => {
    const logs = await system.cli(['logs', 'quote-api', '--env', 'staging', '--tail', '20']);
    expect(logs.code, logs.stderr).toBe(0);
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4'])
      expect(logs.stdout).toMatch(
        new RegExp(`harbor-quote 2\\.0\\.0 .* listening on ${address.replaceAll('.', '\\.')}:`),
      );
  }, 60_000);

  it('a host that stops answering: its instance is down, replaced on another host; the event names it', async () => {
    const lost = ssh.hosts[0]!;
    const before = await instances();
    const victim = before.find((i) => i.address.startsWith(`${lost.address}:`))!;
    expect(victim).toBeDefined();
    const serving = lost.processes().filter((pid) => cmdline(pid).includes('server.js'));
    expect(serving.length).toBeGreaterThan(0);
    lost.pause();
    try {
      const moved = await until(
        'the instance to be healthy on another host',
        async () => {
          const now = (await instances()).find((i) => i.id === victim.id);
          return now && now.state === 'healthy' && !now.address.startsWith(`${lost.address}:`) && now;
        },
        60_000,
        250,
      );
      expect(['127.0.0.3', '127.0.0.4']).toContain(moved.address.split(':')[0]);
      const { events } = await system.client.call<{ events: { kind: string; message: string }[] }>(
        'GET',
        '/api/v1/events?project=harbor-quote&limit=200',
      );
      const crashed = events.find((e) => e.kind === 'instance.crashed' && e.message.includes(victim.id));
      expect(crashed?.message).toContain(`host ${lost.url.replace(/^ssh:\/\//, '').split('/')[0]}`);
      expect(crashed?.message).toContain('stopped answering');
      // Traffic goes on through the proxy, all on the other hosts.
      expect(new Set(await versionsServed(6))).toEqual(new Set(['2.0.0']));
      // The host answers again: the instances that moved away are ended there, not left running twice.
      lost.resume();
      await until(
        'the moved instances to end on the host that came back',
        () => serving.every((pid) => !cmdline(pid).includes('server.js')),
        30_000,
        250,
      );
    } finally {
      lost.kill();
    }
  }, 120_000);

  it('a restarted coordinator adopts the instances on the hosts (same processes), none on the dead host', async () => {
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
    // Those on live hosts are the same processes at the same addresses; any still recorded on the dead host moved.
    const after = await instances();
    const lost = `${ssh.hosts[0]!.address}:`;
    const stayed = (list: InstanceView[]) =>
      list
        .filter((i) => !i.address.startsWith(lost))
        .map((i) => [i.id, i.address])
        .sort();
    expect(stayed(after)).toEqual(expect.arrayContaining(stayed(before)));
    expect(after.filter((i) => i.address.startsWith(lost))).toEqual([]);
    expect(new Set(await versionsServed(6))).toEqual(new Set(['2.0.0']));
  }, 180_000);
});
