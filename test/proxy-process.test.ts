import { readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import {
  freePort,
  oneRoute,
  releaseSet,
  removeDir,
  send,
  spawnProxy,
  startUpstream,
  tempDir,
  waitFor,
  type ProxyProcess,
} from './proxy-support.js';

describe('proxy process', () => {
  const processes: ProxyProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });

  async function setup() {
    const stateDir = await tempDir();
    cleanups.push(() => removeDir(stateDir));
    const admin = `127.0.0.1:${await freePort()}`;
    return { stateDir, admin };
  }

  function start(admin: string, stateDir: string, env?: NodeJS.ProcessEnv): ProxyProcess {
    const p = spawnProxy(['--admin', admin, '--state-dir', stateDir], env);
    processes.push(p);
    return p;
  }

  async function router(admin: string, stateDir: string): Promise<ProxyRouter> {
    const token = (await readFile(path.join(stateDir, 'admin-token'), 'utf8')).trim();
    const r = new ProxyRouter({ admin, token });
    cleanups.push(() => r.close());
    return r;
  }

  it('restores its routes from disk after SIGKILL and serves without the coordinator', async () => {
    const app = await startUpstream('app');
    cleanups.push(() => app.close());
    const { stateDir, admin } = await setup();
    const first = start(admin, stateDir);
    await waitFor(() => readFile(path.join(stateDir, 'admin-token')).then(() => true), 'the token file', 30_000);
    const client = await router(admin, stateDir);
    await waitFor(() => client.healthy(), 'the proxy to be healthy', 30_000);
    const token = (await readFile(path.join(stateDir, 'admin-token'), 'utf8')).trim();
    expect((await stat(path.join(stateDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    expect(await readFile(`/proc/${first.child.pid}/cmdline`, 'utf8')).not.toContain(token);

    const port = await freePort();
    await client.apply(oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [app])]));
    expect((await send(`http://127.0.0.1:${port}/before`)).json().upstream).toBe('app');

    first.child.kill('SIGKILL');
    await first.exited;
    await expect(send(`http://127.0.0.1:${port}/down`)).rejects.toThrow();

    start(admin, stateDir);
    await waitFor(() => client.healthy(), 'the restarted proxy to be healthy', 30_000);
    const r = await send(`http://127.0.0.1:${port}/after`);
    expect(r.status).toBe(200);
    expect(r.json().url).toBe('/after');
    expect((await client.routes()).map((t) => t.environment)).toEqual(['staging']);
  });

  it('exits 0 on SIGTERM after letting an in-flight request finish', async () => {
    const slow = await startUpstream('slow', (_req, res) => setTimeout(() => res.end('finished'), 800));
    cleanups.push(() => slow.close());
    const { stateDir, admin } = await setup();
    const proc = start(admin, stateDir, { ...process.env, SLIPWAY_PROXY_TOKEN: 'env-token' });
    const client = new ProxyRouter({ admin, token: 'env-token' });
    cleanups.push(() => client.close());
    await waitFor(() => client.healthy(), 'the proxy to be healthy', 30_000);
    await expect(stat(path.join(stateDir, 'admin-token'))).rejects.toThrow();
    const port = await freePort();
    await client.apply(oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [slow])]));
    const inFlight = send(`http://127.0.0.1:${port}/`);
    await waitFor(() => slow.requests === 1, 'the request to reach the upstream');
    proc.child.kill('SIGTERM');
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('finished');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 5 with one line naming the address and environment when a listen address is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => blocker.close(() => r())));
    const taken = (blocker.address() as net.AddressInfo).port;
    const { stateDir, admin } = await setup();
    await writeFile(
      path.join(stateDir, 'routes.json'),
      JSON.stringify({ version: 1, environments: [oneRoute('production', taken, [])] }),
    );
    const proc = start(admin, stateDir);
    expect(await proc.exited).toEqual({ code: 5, signal: null });
    expect(proc.stderr()).toBe(
      `slipway proxy: listen address 127.0.0.1:${taken} of environment "production" is already in use\n`,
    );
  });

  it('refuses a corrupt routes.json with an error naming the file', async () => {
    const { stateDir, admin } = await setup();
    const file = path.join(stateDir, 'routes.json');
    await writeFile(file, '{"version":1,"environments":[');
    const proc = start(admin, stateDir);
    const { code } = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.stderr()).toContain(`route state ${file} is not valid JSON`);
  });

  it('rejects bad arguments and a non-loopback admin address', async () => {
    const { stateDir } = await setup();
    const missing = start('', stateDir);
    expect((await missing.exited).code).toBe(2);
    expect(missing.stderr()).toContain('--admin host:port is required');
    const open = start('0.0.0.0:7070', stateDir);
    expect((await open.exited).code).toBe(2);
    expect(open.stderr()).toContain('is not a loopback address');
  });
});
