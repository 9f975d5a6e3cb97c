import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshHosts, type SshTestHosts } from './support/ssh-hosts.js';
import { System } from './support/system.js';

/**
 * SSH keys planted through Slipway's secrets (`slipway secrets set DEPLOY_KEY --from-file`) never come back out: a
 * refused key, an unreachable host and a host whose key changed all fail their deployments, and then neither key, nor
 * any line of its base64 body, is in the coordinator's or proxy's logs, its output, the events, the deployments, the
 * instances, the audit log or the secrets list.
 */

let ssh: SshTestHosts;
let system: System;
let stranger: string;

async function setKey(environment: string, key: string): Promise<void> {
  const file = join(ssh.root, `key-${environment}`);
  writeFileSync(file, key, { mode: 0o600 });
  const set = await system.cli(['secrets', 'set', 'DEPLOY_KEY', '--env', environment, '--from-file', file]);
  expect(set.code, set.stderr).toBe(0);
  rmSync(file);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function apiText(path: string): Promise<string> {
  const res = await request(`http://127.0.0.1:${system.workspace.ports.coordinator}${path}`, {
    headers: { authorization: `Bearer ${system.token}` },
  });
  const text = await res.body.text();
  expect(res.statusCode, `${path}: ${text}`).toBe(200);
  return text;
}

beforeAll(async () => {
  ssh = await startSshHosts(1, 8);
  const host = ssh.hosts[0]!;
  system = await System.start({
    store: 'embedded',
    instances: 1,
    errorReporting: false,
    environmentExtras: {
      staging: `hosts: [${host.url}], sshKey: secret:DEPLOY_KEY`,
      production: `hosts: [ssh://root@${host.address}:1/tmp/slipway-none], sshKey: secret:DEPLOY_KEY`,
    },
  });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(ssh.root, 'stranger')]);
  stranger = readFileSync(join(ssh.root, 'stranger'), 'utf8');
}, 180_000);

afterAll(async () => {
  try {
    await system?.close();
  } finally {
    ssh?.stop();
  }
}, 120_000);

describe('SSH keys from the secrets never reach a log, an event or an API answer', () => {
  it('after a refused key, an unreachable host and a changed host key', async () => {
    const host = ssh.hosts[0]!;
    const label = `${host.user}@${host.address}:${host.port}`;
    // A key the host does not accept.
    await setKey('staging', stranger);
    const refused = await system.deployed('1.0.0');
    expect(refused.state).toBe('failed');
    expect(refused.reason).toContain(`host ${label} refused the SSH key for user ${host.user}`);
    // A host nothing answers on (the good key).
    await setKey('production', ssh.privateKey);
    const unreachable = await system.deployed('1.0.0', { environment: 'production' });
    expect(unreachable.state).toBe('failed');
    expect(unreachable.reason).toContain(`host root@${host.address}:1 is unreachable (ECONNREFUSED)`);
    // The right key: deployed, and the host key pinned.
    await setKey('staging', ssh.privateKey);
    const deployed = await system.deployed('1.0.0');
    expect(deployed.state, JSON.stringify(deployed)).toBe('succeeded');
    // The host is rebuilt with another host key: refused.
    host.kill();
    rmSync(host.hostKeyFile, { force: true });
    rmSync(`${host.hostKeyFile}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', host.hostKeyFile]);
    await host.restart();
    const changed = await system.deployed('2.0.0');
    expect(changed.state).toBe('failed');
    expect(changed.reason).toContain(`host ${label} presented host key SHA256:`);

    // Everything that was said about it.
    const texts: [string, string][] = [];
    const { deployments } = JSON.parse(await apiText('/api/v1/deployments?project=harbor-quote&limit=100')) as {
      deployments: { id: string }[];
    };
    expect(deployments.length).toBeGreaterThanOrEqual(4);
    for (const d of deployments) {
      texts.push([`deployment ${d.id}`, await apiText(`/api/v1/deployments/${d.id}`)]);
      texts.push([`deployment ${d.id} events`, await apiText(`/api/v1/deployments/${d.id}/events`)]);
    }
    for (const path of [
      '/api/v1/events?project=harbor-quote&limit=200',
      '/api/v1/deployments?project=harbor-quote&limit=100',
      '/api/v1/instances?project=harbor-quote&environment=staging',
      '/api/v1/instances?project=harbor-quote&environment=production',
      '/api/v1/projects/harbor-quote/environments/staging/secrets',
      '/api/v1/projects/harbor-quote/environments/production/secrets',
      '/api/v1/audit',
    ])
      texts.push([path, await apiText(path)]);
    await new Promise((r) => setTimeout(r, 1500)); // the coordinator's log is written asynchronously
    const logs = filesUnder(join(system.workspace.dir, '.slipway', 'logs'));
    expect(logs.length).toBeGreaterThan(0);
    for (const file of [...logs, join(system.workspace.dir, 'coordinator-test.out')])
      texts.push([file, readFileSync(file, 'utf8')]);
    const all = texts.map(([, t]) => t).join('\n');
    // The failures were logged (so the scan looked at lines about them).
    expect(all).toContain('refused the SSH key');
    expect(all).toContain('presented host key');
    for (const key of [stranger, ssh.privateKey]) {
      const body = key.split('\n').filter((l) => l && !l.startsWith('-----'));
      expect(body.length).toBeGreaterThan(2);
      for (const [where, text] of texts) {
        expect(text, where).not.toContain('PRIVATE KEY');
        for (const line of body) expect(text.includes(line), `${where} holds a line of a key`).toBe(false);
      }
    }
  }, 240_000);
});
