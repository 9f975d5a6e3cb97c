import type { EventRecord } from '../../store/repos/events.js';
import type { Overview } from './view.js';

interface Entry {
  version: number;
  at: number;
  /** When its computation finished: the next background refresh is due `maxAgeMs` after this, not after `at`. */
  doneAt: number;
  overview: Overview;
  /** Each environment's JSON, so an answer for any set of visible environments is a join, not a serialization. */
  environments: Map<string, string>;
}

/** What the cache needs of the event log: to hear of every stored event (src/engine/event-log.ts). */
export interface EventSource {
  subscribe(listener: (e: EventRecord) => void): () => void;
}

/**
 * The overview of each project kept in memory and kept current by the event log: an event about a project (or about
 * no project) makes its overview stale, and the next read computes it again — once, however many readers wait. A
 * read therefore never shows less than the events it follows (the dashboard re-reads on each event). What changes in
 * the store without an event (an instance turning healthy) is picked up by a refresh in the background once an
 * answer is older than `maxAgeMs`.
 */
export class OverviewCache {
  private readonly entries = new Map<string, Entry>();
  private readonly bumps = new Map<string, number>();
  private everything = 0;
  private readonly inFlight = new Map<string, { version: number; promise: Promise<Entry> }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly events: EventSource,
    private readonly maxAgeMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Both counters only grow, so their sum changes whenever either does. */
  private version(project: string): number {
    return this.everything + (this.bumps.get(project) ?? 0);
  }

  /** This project's overview is stale (its config changed, or an event said so). */
  invalidate(project?: string): void {
    if (project === undefined) this.everything++;
    else this.bumps.set(project, (this.bumps.get(project) ?? 0) + 1);
  }

  /**
   * The project's overview as JSON text, with only the environments `visible` lets through. `load` computes it (and
   * throws when there is no such project: nothing is cached then).
   */
  async json(project: string, load: () => Promise<Overview>, visible: (environment: string) => boolean) {
    // Listening starts with the first read, before it computes: no event between the two is missed.
    this.unsubscribe ??= this.events.subscribe((e) => this.invalidate(e.project ?? undefined));
    const version = this.version(project);
    let entry = this.entries.get(project);
    if (entry?.version !== version) entry = await this.compute(project, version, load);
    // Due from the end of the last computation: one that takes longer than maxAgeMs (a busy store) does not start the
    // next at once, so refreshes never run back to back and compete with the requests they serve.
    else if (this.now() - entry.doneAt > this.maxAgeMs)
      void this.compute(project, version, load).catch(() => undefined);
    const environments = entry.overview.environments
      .filter((e) => visible(e.name))
      .map((e) => entry.environments.get(e.name));
    const { project: name, dataPlane } = entry.overview;
    const head = `{"project":${JSON.stringify(name)},"dataPlane":${JSON.stringify(dataPlane)}`;
    return `${head},"environments":[${environments.join(',')}]}`;
  }

  private compute(project: string, version: number, load: () => Promise<Overview>): Promise<Entry> {
    const running = this.inFlight.get(project);
    if (running && running.version >= version) return running.promise;
    const promise = (async () => {
      const at = this.now();
      const overview = await load();
      const environments = new Map(overview.environments.map((e) => [e.name, JSON.stringify(e)]));
      const entry: Entry = { version, at, doneAt: this.now(), overview, environments };
      const current = this.entries.get(project);
      if (!current || current.version < version || (current.version === version && current.at <= at))
        this.entries.set(project, entry);
      return entry;
    })();
    this.inFlight.set(project, { version, promise });
    void promise
      .finally(() => {
        if (this.inFlight.get(project)?.promise === promise) this.inFlight.delete(project);
      })
      .catch(() => undefined);
    return promise;
  }

  /** Stop listening to the event log. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
