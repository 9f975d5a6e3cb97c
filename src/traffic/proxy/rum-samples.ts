/** What a browser reports: three Core Web Vitals (web-vitals' onLCP / onINP / onCLS) and its JavaScript errors. */
export const rumNames = ['LCP', 'INP', 'CLS', 'error'] as const;
export type RumName = (typeof rumNames)[number];

/** One beacon as the proxy keeps it (the page URL and metric id are not kept: they may carry user data). */
export interface RumSample {
  /** Position in the service's RUM sequence (1, 2, …); pass the last one seen as `after`. */
  seq: number;
  release: string;
  /** When the proxy received it (ms since the epoch). */
  at: number;
  name: RumName;
  /** ms for LCP and INP, a unitless score for CLS, 1 for an error. */
  value: number;
  /** A 32-bit hash of the beacon's `id` (the page view's id on errors), 0 without one: errors are counted per view. */
  view: number;
}

/** FNV-1a of the id: the page's own random view id needs no more than a hash to be told apart, and keeps no text. */
export function viewHash(id: string | undefined): number {
  if (id === undefined || id === '') return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

/** A page of RUM samples of one service: the same cursor protocol as the request samples (GET /samples). */
export interface RumPage {
  /** Data plane start time: when it changes, sequences restarted. */
  startedAt: number;
  environment: string;
  service: string;
  /** Samples with seq > after, oldest first. */
  samples: RumSample[];
  cursor: number;
  /** Samples after `after` that already left the ring (the reader fell behind). */
  missed: number;
}

/** Beacons kept per release: at ~3 per page view, the last ~2,700 page views; the canary reads every second. */
export const rumSamplesPerRelease = 8192;

/** A ring of the recent beacons of one release; typed arrays, no allocation per beacon. */
class RumRing {
  private readonly seqs = new Float64Array(rumSamplesPerRelease);
  private readonly ats = new Float64Array(rumSamplesPerRelease);
  private readonly values = new Float64Array(rumSamplesPerRelease);
  private readonly names = new Uint8Array(rumSamplesPerRelease);
  private readonly views = new Uint32Array(rumSamplesPerRelease);
  private written = 0;

  constructor(readonly release: string) {}

  add(seq: number, at: number, name: RumName, value: number, view: number): void {
    const slot = this.written++ % rumSamplesPerRelease;
    this.seqs[slot] = seq;
    this.ats[slot] = at;
    this.values[slot] = value;
    this.names[slot] = rumNames.indexOf(name);
    this.views[slot] = view;
  }

  after(after: number, out: RumSample[]): void {
    const kept = Math.min(this.written, rumSamplesPerRelease);
    for (let i = this.written - kept; i < this.written; i++) {
      const slot = i % rumSamplesPerRelease;
      const seq = this.seqs[slot]!;
      if (seq <= after) continue;
      out.push({
        seq,
        release: this.release,
        at: this.ats[slot]!,
        name: rumNames[this.names[slot]!]!,
        value: this.values[slot]!,
        view: this.views[slot]!,
      });
    }
  }
}

/** Where the intake puts accepted beacons: the registry, or a worker's channel to its parent. */
export interface RumSink {
  record(
    environment: string,
    service: string,
    release: string,
    at: number,
    beacon: Omit<RumSample, 'seq' | 'release' | 'at'>,
  ): void;
}

/** Every RUM ring, by environment → service → release, for the life of the process (like the request samples). */
export class RumRegistry implements RumSink {
  private readonly services = new Map<string, { last: number; releases: Map<string, RumRing> }>();

  constructor(readonly startedAt: number) {}

  /** Keep one beacon. */
  record(
    environment: string,
    service: string,
    release: string,
    at: number,
    beacon: Omit<RumSample, 'seq' | 'release' | 'at'>,
  ) {
    const key = `${environment}\u0000${service}`;
    let svc = this.services.get(key);
    if (!svc) {
      svc = { last: 0, releases: new Map() };
      this.services.set(key, svc);
    }
    let ring = svc.releases.get(release);
    if (!ring) {
      ring = new RumRing(release);
      svc.releases.set(release, ring);
    }
    ring.add(++svc.last, at, beacon.name, beacon.value, beacon.view);
  }

  /** Samples of one service with seq > after (all releases, oldest first). */
  samples(environment: string, service: string, after: number): RumPage {
    const svc = this.services.get(`${environment}\u0000${service}`);
    const samples: RumSample[] = [];
    if (svc) for (const ring of svc.releases.values()) ring.after(after, samples);
    samples.sort((a, b) => a.seq - b.seq);
    const last = svc?.last ?? 0;
    const missed = Math.max(0, last - Math.max(after, 0) - samples.length);
    return { startedAt: this.startedAt, environment, service, samples, cursor: last, missed };
  }
}
