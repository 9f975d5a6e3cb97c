import type { Socket } from 'node:net';
import { messageOf } from '../../shared/errors.js';
import { createLogger } from '../../shared/logging.js';
import { DataPlane } from './data-plane.js';
import { SampleBatcher } from './sample-batch.js';
import type { FromWorker, ToWorker, WorkerUpstream } from './worker-protocol.js';

/**
 * A proxy worker process (forked by WorkerPool): serves the connections its parent accepted with
 * the tables its parent pushed, and sends its finished requests and RUM beacons back. It binds
 * nothing, so its death refuses no connection; when its parent goes away it finishes what it
 * has in flight and exits.
 */
const logger = createLogger({ name: 'slipway-proxy-worker' }).child({ worker: process.pid });
const send = (message: FromWorker): void => {
  if (process.connected) process.send!(message);
};
const batcher = new SampleBatcher(send);
let plane: DataPlane | undefined;
let drainTimeoutMs = 30_000;
let exiting = false;

async function handle(message: ToWorker, socket: Socket | undefined): Promise<void> {
  switch (message.t) {
    case 'connection':
      if (socket === undefined) return;
      send({ t: 'got', cid: message.cid });
      if (plane === undefined || exiting) socket.destroy();
      else plane.accept(message.environment, socket);
      return;
    case 'init':
      drainTimeoutMs = message.drainTimeoutMs;
      plane = new DataPlane({
        logger,
        forward: message.forward,
        drainTimeoutMs,
        rumLimits: message.rumLimits,
        worker: {
          recorders: batcher,
          rumSink: {
            record: (environment, service, release, at, beacon) =>
              send({ t: 'rum', environment, service, release, at, ...beacon }),
          },
        },
      });
      await plane.restore(message.tables);
      send({ t: 'ack', id: message.id });
      return;
    case 'apply':
      await plane!.apply(message.routes);
      send({ t: 'ack', id: message.id });
      return;
    case 'remove':
      await plane!.remove(message.environment);
      send({ t: 'ack', id: message.id });
      return;
    case 'report':
      // Samples first: the parent answers the read only after this report, so it sees every finished request.
      batcher.flush();
      send({ t: 'report', id: message.id, upstreams: report(plane) });
      return;
    case 'close':
      await exit(message.drainTimeoutMs);
      return;
  }
}

function report(p: DataPlane | undefined): WorkerUpstream[] {
  return (p?.upstreamStates() ?? []).map((u) => ({
    environment: u.environment,
    service: u.service,
    release: u.release,
    id: u.id,
    address: u.address,
    inFlight: u.inFlight,
    draining: u.draining,
    ejectedUntil: u.ejectedUntil,
  }));
}

/** Let in-flight requests finish (up to `timeoutMs`), send the last samples, exit. */
async function exit(timeoutMs: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  await plane?.close(timeoutMs);
  batcher.stop();
  logger.flush(() => process.exit(0));
}

process.on('message', (message: ToWorker, socket?: Socket) => {
  handle(message, socket).catch((e: unknown) => {
    // Tables were validated by the parent: a failure here is a bug, and a worker with an unknown table must not serve.
    logger.error({ err: messageOf(e), message: message.t }, 'proxy worker failed a parent request; exiting');
    process.exit(70);
  });
});
// The parent died (SIGKILL) or let go: serve nothing new, finish what is in flight.
process.on('disconnect', () => void exit(drainTimeoutMs));
process.on('SIGTERM', () => void exit(drainTimeoutMs));
process.on('SIGINT', () => undefined);
send({ t: 'hello' });
