import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { masterSocket } from '../src/traffic/haproxy/files.js';
import { HaproxyRouter } from '../src/traffic/haproxy/haproxy-router.js';
import { MasterCli } from '../src/traffic/haproxy/master-cli.js';
import { type HaproxySupervisor, superviseHaproxy } from '../src/traffic/haproxy/supervisor.js';
import { killQuietly, startUpstreams, stopAllHaproxy } from './haproxy-support.js';
import { freePort, removeDir, send, tempDir, type TestUpstream, waitFor } from './proxy-support.js';

/** superviseHaproxy: a killed haproxy comes back serving its saved tables; a running one is attached, not doubled. */
let supervisor: HaproxySupervisor | undefined;
let dir: string | undefined;
let upstreams: TestUpstream[] = [];
const pids = new Set<number>();
afterEach(async () => {
  await supervisor?.stop(2_000);
  for (const pid of pids) killQuietly(pid);
  await Promise.all(upstreams.map((u) => u.close()));
  await removeDir(dir);
});
afterAll(stopAllHaproxy);

describe('superviseHaproxy', () => {
  it('restarts a killed haproxy from the saved tables; a second supervisor attaches', async () => {
    dir = await tempDir('slipway-hx-');
    upstreams = await startUpstreams(new Map());
    supervisor = await superviseHaproxy({ stateDir: dir, ringBytes: 1024 * 1024 });
    const cli = new MasterCli(masterSocket(dir));
    const router = new HaproxyRouter({ stateDir: dir });
    const listen = `127.0.0.1:${await freePort()}`;
    await router.apply({
      environment: 'staging',
      listen,
      routes: [
        {
          service: 'quote-api',
          match: { pathPrefix: '/' },
          releases: [
            { release: '1.0.0', role: 'stable', weight: 1, upstreams: [{ id: 'u0', address: upstreams[0]!.address }] },
          ],
        },
      ],
    });
    const before = await cli.processes();
    for (const pid of [before.master, before.worker]) pids.add(pid);
    const attached = await superviseHaproxy({ stateDir: dir });
    expect(attached.pid()).toBe(before.master);
    for (const pid of [before.master, before.worker]) process.kill(pid, 'SIGKILL');
    const after = await waitFor(async () => {
      const now = await cli.processes().catch(() => undefined);
      return now && now.master !== before.master ? now : undefined;
    }, 'haproxy to be restarted');
    for (const pid of [after.master, after.worker]) pids.add(pid);
    await waitFor(() => supervisor?.pid() === after.master, 'the supervisor to report the new master');
    expect((await send(`http://${listen}/`)).headers['x-upstream']).toBe('u0');
  });
});
