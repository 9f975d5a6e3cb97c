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
    worker.on('message', (a: SendThreadAnswer) => this.settle(a.id, a.outcome));
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
