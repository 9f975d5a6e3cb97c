/**
 * Fixtures for the proxy integration tests: tiny upstream servers, free ports, an HTTP client
 * that never pools across tests, route table builders and a poll-until helper.
 */
import { reservePort } from './support/test-ports.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { EnvironmentRoutes, ReleaseSet } from '../src/traffic/router.js';
import { entryCommand } from './support/entry.js';

/** What the echo upstream answers: who it is and what it received. */
export interface Echo {
  upstream: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  bodyLength: number;
  bodySha: string;
}

/** A running test upstream. */
export interface TestUpstream {
  name: string;
  address: string;
  port: number;
  /** Requests that reached the handler. */
  requests: number;
  close(): Promise<void>;
}

/** A node:http upstream; default handler echoes the request as JSON (body digested, not echoed). */
export async function startUpstream(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse, self: TestUpstream) => void,
): Promise<TestUpstream> {
  const server = http.createServer();
  const self: TestUpstream = { name, address: '', port: 0, requests: 0, close: () => closeServer(server) };
  server.on('request', (req, res) => {
    self.requests++;
    if (handler) return handler(req, res, self);
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      length += c.length;
    });
    req.on('end', () => {
      const echo: Echo = {
        upstream: name,
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        bodyLength: length,
        bodySha: hash.digest('hex'),
      };
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify(echo));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.port = (server.address() as net.AddressInfo).port;
  self.address = `127.0.0.1:${self.port}`;
  return self;
}

function closeServer(server: http.Server | net.Server): Promise<void> {
  return new Promise((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A port nothing listens on right now, reserved for this test (see test-ports.ts). */
export function freePort(): Promise<number> {
  return reservePort();
}

/** A finished client request. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = Echo>(): T;
}

/** One request on a fresh connection (no pooling, so closing proxies never races a test). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: http.Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A release set for tests. */
export function releaseSet(
  release: string,
  role: ReleaseSet['role'],
  weight: number,
  upstreams: TestUpstream[],
): ReleaseSet {
  return { release, role, weight, upstreams: upstreams.map((u) => ({ id: u.name, address: u.address })) };
}

/** A one-route table for service "quote-api" on "/". */
export function oneRoute(
  environment: string,
  listenPort: number,
  releases: ReleaseSet[],
  extra: { sticky?: boolean; pathPrefix?: string } = {},
): EnvironmentRoutes {
  return {
    environment,
    listen: `127.0.0.1:${listenPort}`,
    routes: [
      {
        service: 'quote-api',
        match: { pathPrefix: extra.pathPrefix ?? '/' },
        releases,
        ...(extra.sticky ? { sticky: true } : {}),
      },
    ],
  };
}

/** Poll until `check` returns a truthy value (or throw with the last error after timeoutMs). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A temp state dir, removed by the returned cleanup. */
export async function tempDir(prefix = 'slipway-proxy-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Remove a temp dir. */
export function removeDir(dir: string | undefined): Promise<void> {
  return dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();
}

/** A proxy started as its own process (src/traffic/proxy/process.ts), with its stderr captured. */
export interface ProxyProcess {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL unless already gone (safe in afterEach). */
  kill(): Promise<void>;
}

/** Spawn the proxy process. */
export function spawnProxy(args: string[], env: NodeJS.ProcessEnv = process.env): ProxyProcess {
  const [command, argv] = entryCommand('src/traffic/proxy/process.ts', args);
  const child = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stderr: () => stderr,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** A proxy running in the test process, with a ProxyRouter client. */
export interface InProcessProxy {
  running: import('../src/traffic/proxy/main.js').RunningProxy;
  router: import('../src/traffic/proxy/proxy-router.js').ProxyRouter;
  admin: string;
  token: string;
  stateDir: string;
  close(): Promise<void>;
}

/** Start runProxy on a free admin port with a fresh state dir (or the given one). */
export async function startProxy(
  options: {
    stateDir?: string;
    forward?: import('../src/traffic/proxy/main.js').ProxyOptions['forward'];
    drainTimeoutMs?: number;
  } = {},
): Promise<InProcessProxy> {
  const { runProxy } = await import('../src/traffic/proxy/main.js');
  const { ProxyRouter } = await import('../src/traffic/proxy/proxy-router.js');
  const stateDir = options.stateDir ?? (await tempDir());
  const admin = `127.0.0.1:${await freePort()}`;
  const token = `test-token-${Math.random().toString(36).slice(2)}`;
  const running = await runProxy({
    admin,
    stateDir,
    token,
    forward: options.forward,
    drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
  });
  const router = new ProxyRouter({ admin, token });
  return {
    running,
    router,
    admin,
    token,
    stateDir,
    close: async () => {
      await router.close();
      await running.close();
      if (!options.stateDir) await removeDir(stateDir);
    },
  };
}
