import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harborQuoteDir } from '../src/demo/workspace.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { startSshHosts, type SshTestHosts } from './support/ssh-hosts.js';
import { System } from './support/system.js';

/**
 * A host whose disk fills up, for real: its Slipway directory is a tmpfs of 4 MiB and 150 inodes (root only, as this
 * machine's tests run). 1.0.0 (harbor-quote, ~70 KB) fits and serves; 3.0.0 (3 MiB more) is refused before anything
 * is sent; 4.0.0 (200 tiny files: little space, more inodes than are left) passes the space check and fills the disk
 * while unpacking. Each deployment fails in one line naming the host, traffic never moves (0 failed requests to the
 * stable release) and nothing of the candidate is left on the host.
 */

let ssh: SshTestHosts;
let system: System;
let load: LoadGenerator;
const work = mkdtempSync(join(tmpdir(), 'ssh-full-disk-'));

function releaseWith(name: string, extra: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(harborQuoteDir, dir, { recursive: true });
  extra(dir);
  return dir;
}

const big = releaseWith('big', (dir) => writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7)));
const many = releaseWith('many', (dir) => {
  mkdirSync(join(dir, 'many'));
  for (let i = 0; i < 200; i++) writeFileSync(join(dir, 'many', `f${i}.txt`), `${i}\n`);
});

/** What the host's releases directory holds (shipped releases; any .tar or .tmp would be a half-applied one). */
const onHost = () => readdirSync(join(ssh.hosts[0]!.dir, 'releases')).sort();

afterAll(() => rmSync(work, { recursive: true, force: true }));

// Mounting a tmpfs takes root (as these tests run here); elsewhere the unit tests of release-archive.ts still run.
describe.runIf(process.getuid?.() === 0)('a host with a full disk', () => {
  beforeAll(async () => {
    ssh = await startSshHosts(1, 6, { tmpfs: 'size=4m,nr_inodes=150' });
    system = await System.start({
      store: 'embedded',
      instances: 2,
      errorReporting: false,
      environmentExtras: { staging: `hosts: [${ssh.hosts[0]!.url}], sshKey: secret:DEPLOY_KEY` },
      extraReleases:
        `      "3.0.0": { cwd: ${JSON.stringify(big)} }\n` + `      "4.0.0": { cwd: ${JSON.stringify(many)} }\n`,
    });
    const keyFile = join(work, 'deploy-key');
    writeFileSync(keyFile, ssh.privateKey, { mode: 0o600 });
    const set = await system.cli(['secrets', 'set', 'DEPLOY_KEY', '--env', 'staging', '--from-file', keyFile]);
    expect(set.code, set.stderr).toBe(0);
    const first = await system.deployed('1.0.0');
    expect(first.state, JSON.stringify(first)).toBe('succeeded');
    load = new LoadGenerator({
      url: system.stagingUrl,
      rate: 40,
      mix: [{ method: 'GET', path: '/version', share: 1 }],
    });
    load.start();
  }, 180_000);

  afterAll(async () => {
    const report = await load?.stop();
    try {
      await system?.close();
    } finally {
      ssh?.stop(); // unmounts the tmpfs, also after a failure
    }
    expect(report?.failures ?? []).toEqual([]);
  }, 120_000);

  it('a release bigger than the free space: refused before anything is sent, traffic untouched', async () => {
    const shipped = onHost();
    expect(shipped).toHaveLength(1);
    const d = await system.deployed('3.0.0');
    expect(d.state).toBe('failed');
    const label = `${ssh.hosts[0]!.user}@${ssh.hosts[0]!.address}:${ssh.hosts[0]!.port}`;
    expect(d.reason).toMatch(
      new RegExp(`host ${label.replaceAll('.', '\\.')} has no space left on its disk: \\d+ KB free in \\S+, release`),
    );
    expect(d.reason).not.toContain('\n');
    expect(d.trafficShifted).toBe(false);
    expect(load.snapshot().byRelease['3.0.0']).toBeUndefined();
    expect(onHost()).toEqual(shipped);
  }, 120_000);

  it('a release that fills the disk while unpacking (no inodes left): ENOSPC named, partial copy removed', async () => {
    const shipped = onHost();
    const before = load.snapshot().requests;
    const d = await system.deployed('4.0.0');
    expect(d.state).toBe('failed');
    const label = `${ssh.hosts[0]!.user}@${ssh.hosts[0]!.address}:${ssh.hosts[0]!.port}`;
    expect(d.reason).toContain(`host ${label} has no space left on its disk: unpacking release `);
    expect(d.reason).toContain('(No space left on device); the partial copy was removed');
    expect(d.trafficShifted).toBe(false);
    expect(load.snapshot().byRelease['4.0.0']).toBeUndefined();
    expect(onHost()).toEqual(shipped); // no .tar, no .tmp, no half-unpacked release
    expect(load.snapshot().requests).toBeGreaterThan(before);
  }, 120_000);
});
