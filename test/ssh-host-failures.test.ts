import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshRuntime } from '../src/runtimes/ssh/index.js';
import type { SlipwayError } from '../src/shared/errors.js';
import { fixtureScript, fixtureSpec } from './support/local-runtime.js';
import { startSshHosts, type SshTestHosts } from './support/ssh-hosts.js';

/**
 * What goes wrong with a host is one line naming it, and the start fails (the engine then fails the
 * deployment with traffic untouched): a host that does not answer, a changed host key, a refused
 * user key. Against a real sshd; the private key never appears in the message.
 */

let ssh: SshTestHosts;
const work = mkdtempSync(join(tmpdir(), 'ssh-failures-'));
const runtimes: SshRuntime[] = [];

beforeAll(async () => {
  ssh = await startSshHosts(1, 5);
}, 30_000);
afterAll(async () => {
  for (const r of runtimes) await r.close();
  ssh?.stop();
  rmSync(work, { recursive: true, force: true });
});

function runtimeFor(url: string, privateKey: string, knownHostsFile = join(mkdtempSync(join(work, 'kh-')), 'k.json')) {
  const runtime = new SshRuntime({
    hostsFor: () => [url],
    knownHostsFile,
    credentials: async () => ({ privateKey }),
    timeoutMs: 4000,
  });
  runtimes.push(runtime);
  return runtime;
}

function spec() {
  const cwd = mkdtempSync(join(work, 'release-'));
  copyFileSync(fixtureScript, join(cwd, 'instance-server.mjs'));
  return fixtureSpec({ cwd, args: ['instance-server.mjs'] });
}

async function startError(runtime: SshRuntime): Promise<SlipwayError> {
  const error = (await runtime.start(spec()).catch((e: unknown) => e)) as SlipwayError;
  expect(error).toBeInstanceOf(Error);
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toContain('PRIVATE KEY');
  return error;
}

describe('SSH host failures are one line naming the host', () => {
  it('a host nothing answers on', async () => {
    const host = ssh.hosts[0]!;
    const url = `ssh://root@${host.address}:1/${work}/none`;
    const error = await startError(runtimeFor(url, ssh.privateKey));
    expect(error.code).toBe('unavailable');
    expect(error.message).toBe(`host root@${host.address}:1 is unreachable (ECONNREFUSED)`);
  });

  it('a key the host does not accept', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'stranger')]);
    const stranger = execFileSync('cat', [join(work, 'stranger')], { encoding: 'utf8' });
    const host = ssh.hosts[0]!;
    const error = await startError(runtimeFor(host.url, stranger));
    expect(error.message).toBe(
      `host ${host.user}@${host.address}:${host.port} refused the SSH key for user ${host.user}`,
    );
  });

  it('a host whose key changed after it was pinned is refused, and the pin stays', async () => {
    const host = ssh.hosts[0]!;
    const knownHostsFile = join(mkdtempSync(join(work, 'kh-')), 'k.json');
    const first = runtimeFor(host.url, ssh.privateKey, knownHostsFile);
    const started = await first.start(spec());
    expect(started.address).toMatch(new RegExp(`^${host.address.replaceAll('.', '\\.')}:\\d+$`));
    await first.close();
    // Pinned as OpenSSH prints it.
    const pinned = JSON.parse(readFileSync(knownHostsFile, 'utf8'))[`${host.address}:${host.port}`].fingerprint;
    expect(execFileSync('ssh-keygen', ['-lf', `${host.hostKeyFile}.pub`], { encoding: 'utf8' })).toContain(pinned);
    // The host is rebuilt with a new key (or someone sits in between).
    host.kill();
    rmSync(host.hostKeyFile, { force: true });
    rmSync(`${host.hostKeyFile}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', host.hostKeyFile]);
    await host.restart();
    const error = await startError(runtimeFor(host.url, ssh.privateKey, knownHostsFile));
    expect(error.message).toMatch(
      new RegExp(
        `^host ${host.user}@${host.address.replaceAll('.', '\\.')}:${host.port} presented host key SHA256:\\S+, but ` +
          'SHA256:\\S+ is pinned for it in .*: refusing to connect',
      ),
    );
  });
});
