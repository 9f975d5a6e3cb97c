import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import { RuntimeError } from './local/errors.js';
import type { InstanceHandle, InstanceStatus, RuntimeEvent } from './runtime.js';

/** What the table needs of a supervised instance (every runtime's supervisor has it). */
export interface TableInstance {
  isActive(): boolean;
  handle(): InstanceHandle | undefined;
  status(): InstanceStatus;
  stop(): Promise<void>;
  detach(): void;
}

/**
 * The bookkeeping every runtime (local, SSH, container) does the same way: its supervised instances by id, starts
 * under way (a second start of an id shares the first, a start during a stop waits for it), stop and list, the event
 * listeners, and closing — instances are detached, not stopped, so the next coordinator adopts them.
 */
export class InstanceTable<I extends TableInstance> {
  readonly instances = new Map<string, I>();
  private readonly starting = new Map<string, Promise<InstanceHandle>>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private isClosed = false;

  constructor(
    /** "the local runtime": named when a closed runtime refuses a call. */
    private readonly runtime: string,
    private readonly logger: Logger,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  assertOpen(): void {
    if (this.isClosed) throw new RuntimeError('unavailable', `${this.runtime} is closed`);
  }

  /** Idempotent per id: the handle of a start under way or of an active instance, else `fresh()`'s. */
  async start(id: string, fresh: () => Promise<InstanceHandle>): Promise<InstanceHandle> {
    this.assertOpen();
    const pending = this.starting.get(id);
    if (pending) return pending;
    const existing = this.instances.get(id);
    const current = existing?.isActive() ? existing.handle() : undefined;
    if (current) return current;
    const started = (async () => {
      await existing?.stop(); // a start during a stop waits for the stop to finish
      this.assertOpen();
      return fresh();
    })();
    this.starting.set(id, started);
    try {
      return await started;
    } finally {
      this.starting.delete(id);
    }
  }

  /** The instance of an id while it is active: adopting it again hands back its status instead. */
  active(id: string): I | undefined {
    const instance = this.instances.get(id);
    return instance?.isActive() ? instance : undefined;
  }

  /** Stop gracefully and forget it. Idempotent; unknown ids are a no-op. */
  async stop(id: string): Promise<void> {
    this.assertOpen();
    await this.starting.get(id)?.catch(() => undefined);
    const instance = this.instances.get(id);
    if (!instance) return;
    await instance.stop();
    // A new start() may have replaced it meanwhile; only forget the one stopped here.
    if (this.instances.get(id) === instance) this.instances.delete(id);
  }

  /** Every supervised instance (stopped ones are forgotten). */
  list(): InstanceStatus[] {
    return [...this.instances.values()].map((i) => i.status());
  }

  /** Listen to state, handle and exit events; returns the unsubscribe function. */
  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** To every listener; one that throws is logged and the others still hear it. */
  emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err: messageOf(err), event: event.type }, 'runtime event listener threw');
      }
    }
  }

  /** Stop supervising (the instances keep running) and drop the listeners; false when it was closed already. */
  close(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    for (const instance of this.instances.values()) instance.detach();
    this.instances.clear();
    this.listeners.clear();
    return true;
  }
}
