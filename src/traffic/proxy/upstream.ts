import type { UpstreamStatus } from '../router.js';
import { parseHostPort } from './address.js';
import { upstreamKey } from './upstream-key.js';
import { RawPool } from './raw-upstream.js';
import { UpstreamPool } from './upstream-pool.js';

/**
 * One instance as the data plane sees it: its keep-alive pool, in-flight count and passive
 * health. The same object survives route table updates that keep the instance, so in-flight
 * counts and pools carry over; removed instances drain and are then forgotten.
 */
export class UpstreamState {
  /** undici connections of the Exchange path (node:http). */
  readonly pool: UpstreamPool;
  /** Raw keep-alive sockets of the fast path (fast-exchange.ts). */
  readonly raw: RawPool;
  inFlight = 0;
  /** Passive health: no new requests before this time (ms since epoch). */
  ejectedUntil = 0;
  draining = false;
  /** Called when a draining upstream finishes its last request. */
  onDrained: ((upstream: UpstreamState) => void) | undefined;

  constructor(
    readonly key: string,
    readonly environment: string,
    readonly service: string,
    readonly release: string,
    readonly id: string,
    readonly address: string,
    connectTimeoutMs: number,
  ) {
    const parsed = parseHostPort(address);
    if (!parsed) throw new Error(`bug: unvalidated upstream address ${address}`);
    this.pool = new UpstreamPool(`http://${address}`, connectTimeoutMs);
    this.raw = new RawPool(parsed.host, parsed.port, connectTimeoutMs);
  }

  /** Close both pools' idle connections; busy ones close when their requests end. */
  destroyPools(): void {
    this.pool.destroy();
    this.raw.destroy();
  }

  /** Takes new requests: not ejected, not draining (a retry may still hold an old table). */
  available(now: number): boolean {
    return this.ejectedUntil <= now && !this.draining;
  }

  /** Mark one request finished; forgets the upstream when it was the last one of a draining instance. */
  finish(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.draining) this.onDrained?.(this);
  }

  /** The public view (UpstreamStatus). */
  status(): UpstreamStatus {
    return {
      environment: this.environment,
      service: this.service,
      release: this.release,
      id: this.id,
      address: this.address,
      inFlight: this.inFlight,
      state: this.draining ? 'draining' : 'active',
    };
  }
}

/**
 * Every upstream of every environment, active or draining. Route tables are compiled against
 * `lookup` (which never registers anything) and only `commit` changes the registry, so a table
 * that fails to apply leaves no trace.
 */
export class UpstreamRegistry {
  constructor(private readonly connectTimeoutMs: number) {}

  private readonly active = new Map<string, Map<string, UpstreamState>>();
  private readonly draining = new Set<UpstreamState>();

  /** The live state for this upstream, or a fresh unregistered one. */
  lookup(environment: string, service: string, release: string, id: string, address: string): UpstreamState {
    const key = upstreamKey(environment, service, release, id, address);
    const live = this.active.get(environment)?.get(key);
    if (live) return live;
    for (const d of this.draining) if (d.key === key) return d;
    return new UpstreamState(key, environment, service, release, id, address, this.connectTimeoutMs);
  }

  /** Make `upstreams` the environment's active set; the ones no longer present start draining. */
  commit(environment: string, upstreams: Iterable<UpstreamState>): void {
    const next = new Map<string, UpstreamState>();
    for (const u of upstreams) {
      next.set(u.key, u);
      if (u.draining) {
        u.draining = false;
        this.draining.delete(u);
      }
    }
    for (const [key, u] of this.active.get(environment) ?? []) if (!next.has(key)) this.drain(u);
    if (next.size > 0) this.active.set(environment, next);
    else this.active.delete(environment);
  }

  /** Every upstream, active first, then draining. */
  list(): UpstreamState[] {
    const out: UpstreamState[] = [];
    for (const env of this.active.values()) out.push(...env.values());
    out.push(...this.draining);
    return out;
  }

  /** Close every pool (process shutdown). */
  destroyAll(): void {
    for (const u of this.list()) u.destroyPools();
    this.active.clear();
    this.draining.clear();
  }

  private drain(u: UpstreamState): void {
    if (u.inFlight === 0) {
      u.destroyPools();
      return;
    }
    u.draining = true;
    this.draining.add(u);
    u.onDrained = (done) => {
      // Let the response that just ended release its socket before the pool goes away.
      setImmediate(() => {
        if (!done.draining || done.inFlight > 0) return;
        this.draining.delete(done);
        done.destroyPools();
      });
    };
  }
}
