import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaderView } from '../api/leader-forward.js';
import type { Engine } from '../engine/engine.js';
import type { Leadership } from './leadership.js';

/** This process's id in the leader lease: host, pid and a random part (a recycled pid is another holder). */
export function holderId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${host}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * The engine as the API sees it: always the current term's (a new leader term builds a new engine, since a
 * closed one does not start again), so routes keep one reference.
 */
export function currentEngine(current: () => Engine): Engine {
  return new Proxy({} as Engine, {
    get(_target, key) {
      const engine = current();
      const value = Reflect.get(engine, key, engine) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(engine) : value;
    },
  });
}

/** The election as the API reads it. */
export function leaderView(leadership: () => Leadership | undefined, holder: string): LeaderView {
  return {
    isLeader: () => leadership()?.isLeader ?? false,
    leaderUrl() {
      const l = leadership();
      if (!l || l.isLeader) return undefined;
      const lease = l.lease;
      return lease && lease.holder !== holder && lease.expiresAt.getTime() > Date.now() - 1000 ? lease.url : undefined;
    },
    describe() {
      const l = leadership();
      const lease = l?.lease;
      return {
        role: l?.isLeader ? 'leader' : 'follower',
        holder,
        ...(lease ? { leader: { url: lease.url, host: lease.host, pid: lease.pid, token: lease.token } } : {}),
      };
    },
  };
}
