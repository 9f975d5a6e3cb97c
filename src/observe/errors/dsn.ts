import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../../store/db.js';
import {
  activeDsnKey,
  type DsnKeyRecord,
  getDsnKey,
  insertDsnKeyIfMissing,
  revokeDsnKey,
} from '../../store/repos/dsn-keys.js';

/** The environment's active DSN key, made on first use (32 hex characters, like Sentry's public keys). */
export async function ensureDsnKey(db: Queryable, project: string, environment: string): Promise<DsnKeyRecord> {
  const existing = await activeDsnKey(db, project, environment);
  if (existing) return existing;
  await insertDsnKeyIfMissing(db, { project, environment, publicKey: randomBytes(16).toString('hex') });
  return (await activeDsnKey(db, project, environment))!;
}

/** Revoke the environment's key and make a new one: SDKs holding the old DSN get 403 from then on. */
export async function rotateDsnKey(db: Queryable, project: string, environment: string): Promise<DsnKeyRecord> {
  await revokeDsnKey(db, project, environment);
  return ensureDsnKey(db, project, environment);
}

/** `http://<public key>@<host:port>/<id>`: the DSN an SDK is configured with. */
export function dsnOf(key: DsnKeyRecord, coordinatorUrl: string): string {
  const url = new URL(coordinatorUrl);
  return `${url.protocol}//${key.publicKey}@${url.host}/${key.id}`;
}

/** Equal keys, compared in constant time. */
export function sameKey(presented: string, stored: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * DSN keys by id, cached for a few seconds: ingest is the hottest path of the coordinator and the
 * key rarely changes. A rotation through this process drops the entry at once (`forget`).
 */
export class DsnKeyCache {
  private readonly entries = new Map<number, { key: DsnKeyRecord | undefined; until: number }>();
  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 5000,
  ) {}

  async get(id: number): Promise<DsnKeyRecord | undefined> {
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && hit.until > now) return hit.key;
    const key = await getDsnKey(this.db, id);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(id, { key, until: now + this.ttlMs });
    return key;
  }

  forget(): void {
    this.entries.clear();
  }
}
