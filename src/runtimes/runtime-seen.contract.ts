import type { InstanceState, InstanceStatus, LogLine, Runtime, RuntimeEvent } from './runtime.js';

/** Events seen from every runtime of a test, with waits on them. */
export class Seen {
  readonly events: RuntimeEvent[] = [];
  constructor(private readonly timeoutMs: number) {}

  watch(runtime: Runtime): void {
    runtime.subscribe((e) => this.events.push(e));
  }

  statuses(id: string): InstanceStatus[] {
    return this.events.flatMap((e) => (e.type === 'state' && e.status.instanceId === id ? [e.status] : []));
  }

  states(id: string): InstanceState[] {
    return this.statuses(id).map((x) => x.state);
  }

  /** `exit`, `handle`, `state:<state>` for one instance, from event index `from`. */
  kinds(id: string, from = 0): string[] {
    return this.events
      .slice(from)
      .filter((e) => (e.type === 'state' ? e.status.instanceId : e.instanceId) === id)
      .map((e) => (e.type === 'state' ? `state:${e.status.state}` : e.type));
  }

  of<T extends RuntimeEvent['type']>(type: T, id: string): Extract<RuntimeEvent, { type: T }>[] {
    return this.events.filter(
      (e): e is Extract<RuntimeEvent, { type: T }> =>
        e.type === type && (e.type === 'state' ? e.status.instanceId : e.instanceId) === id,
    );
  }

  state(id: string, state: InstanceState): Promise<void> {
    return this.until(`${id} to be ${state}`, () => this.states(id).at(-1) === state);
  }

  async until(what: string, probe: () => boolean): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${this.timeoutMs}ms waiting for ${what} (events: ${this.summary()})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private summary(): string {
    return this.events
      .map((e) => (e.type === 'state' ? `${e.status.instanceId}:${e.status.state}` : `${e.instanceId}:${e.type}`))
      .join(' ');
  }
}

export function statusOf(runtime: Runtime, id: string): InstanceStatus | undefined {
  return runtime.list().find((x) => x.instanceId === id);
}

/** Whether `expected` appears in `actual` in order (other items may sit between). */
export function subsequence(actual: string[], expected: string[]): boolean {
  let i = 0;
  for (const item of actual) if (item === expected[i]) i++;
  return i === expected.length;
}

/** The rejection of a promise; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Every line of a log read; a runtime may throw when asked or when iterated, both count. */
export async function collect(logs: AsyncIterable<LogLine> | (() => AsyncIterable<LogLine>)): Promise<string[]> {
  return (await collectLines(logs)).map((line) => line.text);
}

/** Every log line a finite iteration yields, with its time and cursor. */
export async function collectLines(logs: AsyncIterable<LogLine> | (() => AsyncIterable<LogLine>)): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const line of typeof logs === 'function' ? logs() : logs) lines.push(line);
  return lines;
}
