import type { ReleaseStats, SamplesPage, TrafficStats } from '../router.js';

export type { SamplesPage };
import { ReleaseRecorder, type SampleSequence, type TrafficSample } from './release-stats.js';

interface ServiceRecorders {
  sequence: SampleSequence;
  releases: Map<string, ReleaseRecorder>;
}

/**
 * All recorders, by environment → service → release. Kept for the life of the process
 * (figures are cumulative), even after a release leaves the route table.
 */
export class TrafficStatsRegistry {
  private readonly environments = new Map<string, Map<string, ServiceRecorders>>();

  constructor(readonly startedAt: number) {}

  /** The recorder for one release, created on first use (route tables resolve it once at compile time). */
  recorder(environment: string, service: string, release: string): ReleaseRecorder {
    let services = this.environments.get(environment);
    if (!services) {
      services = new Map();
      this.environments.set(environment, services);
    }
    let svc = services.get(service);
    if (!svc) {
      svc = { sequence: { last: 0 }, releases: new Map() };
      services.set(service, svc);
    }
    let rec = svc.releases.get(release);
    if (!rec) {
      rec = new ReleaseRecorder(release, svc.sequence);
      svc.releases.set(release, rec);
    }
    return rec;
  }

  /** Cumulative figures for every release seen since start. */
  snapshot(now: number): TrafficStats {
    const environments: TrafficStats['environments'] = {};
    for (const [env, services] of this.environments) {
      const e: Record<string, Record<string, ReleaseStats>> = {};
      environments[env] = e;
      for (const [service, svc] of services) {
        const s: Record<string, ReleaseStats> = {};
        e[service] = s;
        for (const [release, rec] of svc.releases) s[release] = rec.snapshot();
      }
    }
    return { startedAt: this.startedAt, at: now, environments };
  }

  /** Samples of one service with seq > after (all releases, oldest first). */
  samples(environment: string, service: string, after: number): SamplesPage {
    const svc = this.environments.get(environment)?.get(service);
    const samples: TrafficSample[] = [];
    if (svc) for (const rec of svc.releases.values()) rec.samplesAfter(after, samples);
    samples.sort((a, b) => a.seq - b.seq);
    const last = svc?.sequence.last ?? 0;
    const missed = Math.max(0, last - Math.max(after, 0) - samples.length);
    return { startedAt: this.startedAt, environment, service, samples, cursor: last, missed };
  }
}
