/** A static release served over HTTP: publish, then listen. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileBodies } from './file-bodies.js';
import { staticHandler } from './handler.js';
import type { StaticServerOptions } from './options.js';
import { type PublishOutcome, publishRelease } from './publish-release.js';
import { Site } from './site.js';

export interface RunningStaticServer {
  server: Server;
  port: number;
  outcome: PublishOutcome;
  /** Stop accepting, let in-flight requests finish (at most `graceMs`), then close the rest. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Publish the release and serve it on host:port. Rejects with StaticSiteError (bad build, store
 * not writable) before listening, or with the listen error (address in use).
 */
export async function startStaticServer(
  options: StaticServerOptions,
  log: (line: string) => void = () => undefined,
): Promise<RunningStaticServer> {
  const outcome = await publishRelease({
    store: options.store,
    buildDir: options.dir,
    version: options.release,
    environment: options.environment,
  });
  const site = new Site(outcome.release, {
    store: options.store,
    environment: options.environment,
    keep: options.keep,
  });
  const server = createServer(
    staticHandler({ site, bodies: new FileBodies(), base: options.base, spa: options.spa, onError: log }),
  );
  server.keepAliveTimeout = 65_000; // longer than the proxy's idle keep-alive, so the proxy closes first
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    outcome,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
