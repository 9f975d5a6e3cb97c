import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../shared/logging.js';
import { ProxyError } from './errors.js';
import type { FromWorker, ToWorker, WorkerUpstream } from './worker-protocol.js';

/** What the pool needs from the parent plane. */
export interface WorkerPoolOptions {
  size: number;
  logger: Logger;
  /** The first message of a new worker: the tables in force now. */
  init(): Omit<Extract<ToWorker, { t: 'init' }>, 'id'>;
  /** Messages a worker sends unasked (recorders, sample batches, RUM beacons). */
  onMessage(worker: PoolWorker, message: FromWorker): void;
  /** A worker that has not acknowledged a table within this time is killed and replaced (default 10 s). */
  ackTimeoutMs?: number;
}

/** One worker process as the pool tracks it. */
export interface PoolWorker {
  readonly child: ChildProcess;
  /** It has its tables and takes connections. */
  ready: boolean;
  initSent: boolean;
  readonly pending: Map<number, (reply: FromWorker | undefined) => void>;
  /** Connections sent and not yet confirmed (message `got`), by connection id. */
  readonly inTransit: Map<number, { environment: string; socket: Socket }>;
  readonly startedAt: number;
}

/** A read waits this long for a busy worker's figures, then answers with the others'. */
const reportTimeoutMs = 2_000;

/** Connections accepted while no worker is ready wait here (then are refused past this many). */
const maxQueuedConnections = 4096;

/**
 * The proxy's worker processes: forks `size` of them, replaces one that dies at once (the others
 * keep serving, and the parent keeps the listening sockets, so nothing is refused), hands each
 * accepted connection to the next ready worker, and pushes tables to all of them, answering only
 * when every worker has acknowledged.
 */
export class WorkerPool {
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: { environment: string; socket: Socket }[] = [];
  private readonly entry = workerEntry();
  private nextId = 1;
  private turn = 0;
  private closing = false;
  private quickExits = 0;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Fork every worker; resolves when all are ready, rejects naming the problem when one cannot start. */
  async start(timeoutMs = 30_000): Promise<void> {
    for (let i = 0; i < this.options.size; i++) this.spawn();
    const deadline = Date.now() + timeoutMs;
    while (this.readyWorkers().length < this.options.size) {
      if (Date.now() > deadline)
        throw new ProxyError(
          'unavailable',
          `only ${this.readyWorkers().length} of ${this.options.size} proxy workers started within ${timeoutMs} ms ` +
            `(see the proxy log)`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Process ids of the live workers. */
  pids(): number[] {
    return [...this.workers].map((w) => w.child.pid!).filter((pid) => pid !== undefined);
  }

  /** Give an accepted connection to the next ready worker (round robin); queue it while none is. */
  handOff(environment: string, socket: Socket): void {
    const ready = this.readyWorkers();
    if (ready.length === 0) {
      if (this.queue.length >= maxQueuedConnections) socket.destroy();
      else this.queue.push({ environment, socket });
      return;
    }
    const worker = ready[this.turn++ % ready.length]!;
    // The parent keeps its copy of the socket until the worker says it has it: a worker that dies with the
    // message still in its pipe never read a byte of that connection, so another worker can take it whole.
    const cid = this.nextId++;
    worker.inTransit.set(cid, { environment, socket });
    worker.child.send({ t: 'connection', environment, cid } satisfies ToWorker, socket, { keepOpen: true }, (err) => {
      if (!err || !worker.inTransit.delete(cid)) return;
      // The worker died between the pick and the send (its exit not yet seen): another one, or the queue, takes it.
      worker.ready = false;
      if (!socket.destroyed && !this.closing) setImmediate(() => this.handOff(environment, socket));
    });
  }

  /** Send a table change to every worker that has its tables; resolves when each acknowledged (or died). */
  async broadcast(message: Extract<ToWorker, { t: 'apply' | 'remove' }>): Promise<void> {
    const targets = [...this.workers].filter((w) => w.initSent);
    await Promise.all(targets.map((w) => this.ask(w, { ...message, id: this.nextId++ }, true)));
  }

  /** Ask every ready worker for its upstreams; its pending samples reach the parent first. */
  async reports(): Promise<WorkerUpstream[][]> {
    const replies = await Promise.all(
      this.readyWorkers().map((w) => this.ask(w, { t: 'report', id: this.nextId++ }, false, reportTimeoutMs)),
    );
    return replies.flatMap((r) => (r?.t === 'report' ? [r.upstreams] : []));
  }

  /** Tell every worker to finish its in-flight requests and exit; resolves when all have. */
  async close(drainTimeoutMs: number): Promise<void> {
    this.closing = true;
    for (const { socket } of this.queue.splice(0)) socket.destroy();
    const exits = [...this.workers].map((w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => w.child.once('exit', () => resolve()));
      if (w.child.connected) w.child.send({ t: 'close', drainTimeoutMs } satisfies ToWorker);
      else w.child.kill('SIGTERM');
      const kill = setTimeout(() => w.child.kill('SIGKILL'), drainTimeoutMs + 5_000);
      return exited.finally(() => clearTimeout(kill));
    });
    await Promise.all(exits);
  }

  private readyWorkers(): PoolWorker[] {
    return [...this.workers].filter((w) => w.ready && w.child.connected);
  }

  private spawn(): void {
    const child = fork(this.entry.file, [], {
      execArgv: this.entry.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: PoolWorker = {
      child,
      ready: false,
      initSent: false,
      pending: new Map(),
      inTransit: new Map(),
      startedAt: Date.now(),
    };
    this.workers.add(worker);
    child.on('message', (message: FromWorker) => this.onMessage(worker, message));
    child.on('error', (err) => this.options.logger.warn({ err, worker: child.pid }, 'proxy worker error'));
    child.once('exit', (code, signal) => this.onExit(worker, code, signal));
  }

  private onMessage(worker: PoolWorker, message: FromWorker): void {
    if (message.t === 'hello') {
      worker.initSent = true;
      void this.ask(worker, { ...this.options.init(), id: this.nextId++ }, true).then(() => {
        if (!this.workers.has(worker)) return;
        worker.ready = true;
        this.options.logger.info({ worker: worker.child.pid }, 'proxy worker ready');
        for (const { environment, socket } of this.queue.splice(0)) this.handOff(environment, socket);
      });
      return;
    }
    if (message.t === 'got') {
      // Closing our copy of the descriptor leaves the worker's open: the connection itself goes on.
      worker.inTransit.get(message.cid)?.socket.destroy();
      worker.inTransit.delete(message.cid);
      return;
    }
    if (message.t === 'ack' || message.t === 'report') {
      const done = worker.pending.get(message.id);
      worker.pending.delete(message.id);
      done?.(message);
      return;
    }
    this.options.onMessage(worker, message);
  }

  private onExit(worker: PoolWorker, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(worker);
    worker.ready = false;
    for (const done of worker.pending.values()) done(undefined);
    worker.pending.clear();
    const unread = [...worker.inTransit.values()];
    worker.inTransit.clear();
    for (const { environment, socket } of unread)
      if (this.closing) socket.destroy();
      else this.handOff(environment, socket);
    if (this.closing) return;
    // A worker that keeps dying at start (a broken install) must not spin the CPU: back off up to 5 s.
    const lived = Date.now() - worker.startedAt;
    this.quickExits = lived < 2_000 ? this.quickExits + 1 : 0;
    const delayMs = this.quickExits > 2 ? Math.min(5_000, 250 * 2 ** (this.quickExits - 3)) : 0;
    this.options.logger.warn(
      { worker: worker.child.pid, code, signal, replaceInMs: delayMs },
      'proxy worker exited; replacing it (the other workers keep serving)',
    );
    if (delayMs === 0) this.spawn();
    else setTimeout(() => !this.closing && this.spawn(), delayMs).unref();
  }

  /** Send a request; resolves with the reply, or undefined when the worker died first. */
  private ask(
    worker: PoolWorker,
    message: ToWorker & { id: number },
    mustAck: boolean,
    timeoutMs = this.options.ackTimeoutMs ?? 10_000,
  ): Promise<FromWorker | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!worker.pending.delete(message.id)) return;
        // A worker that cannot confirm a table might serve an older one: replace it rather than wait.
        if (mustAck) {
          this.options.logger.error(
            { worker: worker.child.pid, message: message.t },
            `proxy worker did not answer within ${timeoutMs} ms; killing it`,
          );
          worker.child.kill('SIGKILL');
        }
        resolve(undefined);
      }, timeoutMs);
      worker.pending.set(message.id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      if (!worker.child.connected) return;
      worker.child.send(message, (err) => {
        if (err && worker.pending.delete(message.id)) {
          clearTimeout(timer);
          resolve(undefined);
        }
      });
    });
  }
}

/**
 * The worker's entry: the built .js, or in a source checkout the .ts through tsx's loader (whatever loaded this
 * module: the CLI under tsx, or a test runner).
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./worker-main.js', import.meta.url));
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: js.replace(/\.js$/, '.ts'), execArgv: ['--import', import.meta.resolve('tsx')] };
}
