import type { ReleaseSet } from '../router.js';
import { releaseCookie } from './headers.js';
import type { RequestRecorder } from './release-stats.js';
import type { UpstreamState } from './upstream.js';

/** A release set of a compiled route: its upstreams, weight and the state of the pickers. */
export class CompiledReleaseSet {
  readonly release: string;
  readonly role: ReleaseSet['role'];
  readonly weight: number;
  /** Set-Cookie value for sticky routes, built once. */
  readonly cookie: string;
  /** Smooth weighted round-robin state (see pickWeightedSet). */
  current = 0;
  /** Where the next least-in-flight scan starts, so ties rotate. */
  private next = 0;

  constructor(
    set: ReleaseSet,
    readonly upstreams: readonly UpstreamState[],
    readonly recorder: RequestRecorder,
  ) {
    this.release = set.release;
    this.role = set.role;
    this.weight = set.weight;
    this.cookie = releaseCookie(set.release);
  }

  /** At least one upstream takes new requests. */
  hasAvailable(now: number): boolean {
    for (const u of this.upstreams) if (u.available(now)) return true;
    return false;
  }

  /** The available upstream with the fewest in-flight requests (round-robin among ties), skipping `exclude`. */
  pickUpstream(now: number, exclude?: readonly UpstreamState[]): UpstreamState | undefined {
    const list = this.upstreams;
    const n = list.length;
    let best: UpstreamState | undefined;
    let bestIndex = 0;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const u = list[i]!;
      if (!u.available(now) || exclude?.includes(u)) continue;
      if (best === undefined || u.inFlight < best.inFlight) {
        best = u;
        bestIndex = i;
      }
    }
    if (best !== undefined) this.next = (bestIndex + 1) % n;
    return best;
  }
}
