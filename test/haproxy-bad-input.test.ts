import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { masterSocket } from '../src/traffic/haproxy/files.js';
import { HaproxyRouter } from '../src/traffic/haproxy/haproxy-router.js';
import { startHaproxy } from '../src/traffic/haproxy/haproxy-process.js';
import type { EnvironmentRoutes } from '../src/traffic/router.js';
import { isSlipwayError } from '../src/shared/errors.js';
import { haproxySubject, stopAllHaproxy } from './haproxy-support.js';
import { removeDir, send, tempDir, waitFor } from './proxy-support.js';

/**
 * Bad input for the HAProxy data plane: a missing binary, a configuration HAProxy refuses, a master socket
 * that is gone. Each is one clear line naming the binary, the file:line or the socket, and nothing is
 * half-applied: the previous table keeps serving and the saved files stay as they were.
 */
afterAll(stopAllHaproxy);

type Subject = Awaited<ReturnType<typeof haproxySubject>>;
let subject: Subject | undefined;
afterEach(async () => {
  await subject?.dispose();
  subject = undefined;
});

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

const table = (listen: string, address: string, pathPrefix = '/'): EnvironmentRoutes => ({
  environment: 'staging',
  listen,
  routes: [
    {
      service: 'quote-api',
      match: { pathPrefix },
      releases: [{ release: '1.0.0', role: 'stable', weight: 1, upstreams: [{ id: 'u', address }] }],
    },
  ],
});

describe('HAProxy data plane, bad input', () => {
  it('a missing haproxy binary: one line naming it, for the process and for the router', async () => {
    const dir = await tempDir('slipway-hx-');
    try {
      const error = await rejection(startHaproxy({ stateDir: dir, binary: '/nonexistent/haproxy' }));
      expect(isSlipwayError(error) && error.code).toBe('unavailable');
      expect(error.message).toContain('/nonexistent/haproxy');
      expect(error.message).not.toContain('\n');
    } finally {
      await removeDir(dir);
    }
    subject = await haproxySubject();
    const listen = await subject.listen();
    const good = table(listen, subject.upstreams[0].address);
    await subject.router.apply(good);
    const saved = await readFile(path.join(subject.stateDir, 'haproxy.cfg'), 'utf8');
    const broken = new HaproxyRouter({ stateDir: subject.stateDir, binary: '/nonexistent/haproxy' });
    const error = await rejection(broken.apply(table(listen, subject.upstreams[1].address)));
    expect(error.message).toContain('/nonexistent/haproxy');
    expect(await readFile(path.join(subject.stateDir, 'haproxy.cfg'), 'utf8')).toBe(saved);
    expect((await send(`http://${listen}/`)).headers['x-upstream']).toBe('u0');
  });

  it('a configuration haproxy -c refuses: invalid_input quoting it with file:line; nothing changes', async () => {
    subject = await haproxySubject();
    const listen = await subject.listen();
    await subject.router.apply(table(listen, subject.upstreams[0].address));
    const saved = await readFile(path.join(subject.stateDir, 'state.json'), 'utf8');
    for (const bad of [table(listen, 'no-such-host.invalid:80'), table(listen, 'no-such-host.invalid:80', '/new')]) {
      const error = await rejection(subject.router.apply(bad));
      expect(isSlipwayError(error) && error.code, error.message).toBe('invalid_input');
      expect(error.message).toMatch(/haproxy\.cfg:\d+.*could not resolve address 'no-such-host\.invalid'/);
      expect(await readFile(path.join(subject.stateDir, 'state.json'), 'utf8')).toBe(saved);
      expect((await send(`http://${listen}/`)).headers['x-upstream']).toBe('u0');
    }
    expect((await subject.router.upstreams()).map((x) => x.address)).toEqual([subject.upstreams[0].address]);
  });

  it('a master socket that is gone: unavailable naming the socket, tables untouched', async () => {
    subject = await haproxySubject();
    const listen = await subject.listen();
    await subject.router.apply(table(listen, subject.upstreams[0].address));
    const saved = await readFile(path.join(subject.stateDir, 'state.json'), 'utf8');
    await rm(masterSocket(subject.stateDir));
    expect(await subject.router.healthy()).toBe(false);
    const error = await rejection(subject.router.apply(table(listen, subject.upstreams[1].address)));
    expect(isSlipwayError(error) && error.code).toBe('unavailable');
    expect(error.message).toContain(masterSocket(subject.stateDir));
    expect(error.message).not.toContain('\n');
    expect(await readFile(path.join(subject.stateDir, 'state.json'), 'utf8')).toBe(saved);
    expect((await send(`http://${listen}/`)).headers['x-upstream']).toBe('u0');
  });

  it('a saved table whose listen address is taken: the start fails in one line naming the address', async () => {
    subject = await haproxySubject();
    const listen = await subject.listen();
    await subject.router.apply(table(listen, subject.upstreams[0].address));
    await subject.down();
    const port = Number(listen.split(':')[1]);
    const blocker = net.createServer();
    // The killed workers let go of the port a moment after the master is gone.
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          blocker.once('error', () => resolve(false));
          blocker.listen(port, '127.0.0.1', () => resolve(true));
        }),
      'the killed haproxy to release its listen address',
    );
    try {
      const error = await rejection(startHaproxy({ stateDir: subject.stateDir, ringBytes: 1024 * 1024 }));
      expect(isSlipwayError(error) && error.code).toBe('unavailable');
      expect(error.message).toContain(listen);
      expect(error.message).not.toContain('\n');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
