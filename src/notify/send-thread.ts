/**
 * The delivery worker's sends, in a thread of their own (send-thread-main.ts): the worker still claims, orders,
 * retries and records every delivery; only the exchange with the receiver moves. Senders that keep references in
 * the store (Jira, GitHub) stay on the coordinator's thread. When the thread dies, what it had in flight is retried
 * and later sends run on the coordinator's thread again: a delivery is never lost to it.
 */
import type { Worker } from 'node:worker_threads';
import { startThreadModule } from '../shared/thread-module.js';
import type { NotificationMessage } from './message.js';
import type { ResolvedService, SendOutcome } from './sender.js';
import { offThreadTypes, type SendThreadAnswer, type SendThreadRequest } from './send-thread-protocol.js';

export interface OffThreadSend {
  message: NotificationMessage;
  key: string;
  service: ResolvedService;
  timeoutMs: number;
}

export class SendThread {
  private readonly waiting = new Map<number, (outcome: SendOutcome) => void>();
  /** Answers read and not yet handed to their attempts: one a turn of the event loop (see `answered`). */
  private readonly answers: SendThreadAnswer[] = [];
  private nextId = 1;
  private stopped: string | undefined;
  /** Started by the first send: a coordinator that never notifies anyone pays nothing for it (~0.2 s of CPU). */
  private worker: Worker | undefined;

  private constructor() {}

  /** A send thread that starts with its first send (or `warm`). */
  static create(): SendThread {
    return new SendThread();
  }

  /** Start the thread now, ahead of the first send (a project that notifies is known): idempotent. */
  warm(): void {
    if (this.stopped === undefined) this.started();
  }

  /** Whether the thread has been started (by a send or `warm`). */
  get running(): boolean {
    return this.worker !== undefined && this.stopped === undefined;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = startThreadModule(import.meta.url, 'send-thread-main');
    worker.on('message', (a: SendThreadAnswer) => this.answered(a));
    worker.on('error', (e) => this.stop(`the notification send thread failed: ${e.message}`));
    worker.on('exit', (code) => this.stop(`the notification send thread exited (code ${code})`));
    // Only a send in flight keeps the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Whether a service of this type is sent here (else on the caller's thread). */
  handles(type: string): boolean {
    return this.stopped === undefined && offThreadTypes.has(type);
  }

  /** One attempt; `signal` aborting (the coordinator stopping) ends it at once. */
  send(type: string, request: OffThreadSend, signal: AbortSignal): Promise<SendOutcome> {
    if (this.stopped !== undefined) return Promise.resolve({ kind: 'retry', error: this.stopped });
    const id = this.nextId++;
    if (this.waiting.size === 0) this.started().ref();
    return new Promise((resolve) => {
      const cancel = () => this.post({ op: 'cancel', id });
      signal.addEventListener('abort', cancel, { once: true });
      this.waiting.set(id, (outcome) => {
        signal.removeEventListener('abort', cancel);
        resolve(outcome);
      });
      this.post({ op: 'send', id, type, ...request });
      if (signal.aborted) cancel();
    });
  }

  async close(): Promise<void> {
    this.stop('the coordinator is stopping');
    await this.worker?.terminate();
  }

  private post(request: SendThreadRequest): void {
    if (this.stopped === undefined) this.started().postMessage(request);
  }

  /**
   * Each answer is handed on in a turn of the event loop of its own: its attempt's end (recorded, the next send of
   * its queue started) runs then, and what came meanwhile (a deployment step's answer from the store) is read between
   * two of them. Handed on all at once, the answers that came together made one turn of 5–10 ms on the coordinator's
   * thread, and a step whose answer came then waited for all of it (bench:notify --trace).
   */
  private answered(a: SendThreadAnswer): void {
    this.answers.push(a);
    if (this.answers.length === 1) setImmediate(this.handOn);
  }

  private readonly handOn = (): void => {
    const a = this.answers.shift();
    if (a) this.settle(a.id, a.outcome);
    // Set during the check phase, the next runs on the loop's next turn, after the I/O that came meanwhile.
    if (this.answers.length > 0) setImmediate(this.handOn);
  };

  private settle(id: number, outcome: SendOutcome): void {
    const done = this.waiting.get(id);
    if (!done) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
    done(outcome);
  }

  private stop(why: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = why;
    for (const id of [...this.waiting.keys()]) this.settle(id, { kind: 'retry', error: why });
  }
}
