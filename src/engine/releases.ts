import { createHash } from 'node:crypto';
import type { ReleaseSpec } from '../config/model.js';
import { newId } from '../shared/ids.js';
import type { Queryable } from '../store/db.js';
import { insertReleaseIfAbsent, type ReleaseRecord } from '../store/repos/releases.js';
import { EngineError } from './errors.js';

/** A stable digest of what a release runs (keys sorted, so env order does not matter). */
export function releaseDigest(spec: ReleaseSpec): string {
  const sorted = { ...spec, env: Object.fromEntries(Object.entries(spec.env).sort(([a], [b]) => a.localeCompare(b))) };
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** The settings that differ between two specs, as key paths (for the immutability error). */
function differences(a: ReleaseSpec, b: ReleaseSpec): string[] {
  const out: string[] = [];
  for (const key of ['command', 'cwd'] as const) if (a[key] !== b[key]) out.push(key);
  if (JSON.stringify(a.args) !== JSON.stringify(b.args)) out.push('args');
  for (const k of new Set([...Object.keys(a.env), ...Object.keys(b.env)]))
    if (a.env[k] !== b.env[k]) out.push(`env.${k}`);
  return out;
}

/**
 * Record a release, or return the recorded one. Releases are immutable: the same version with
 * different settings is refused, naming what differs, so "2.0.0" always means one thing.
 */
export async function ensureRelease(db: Queryable, project: string, spec: ReleaseSpec): Promise<ReleaseRecord> {
  const digest = releaseDigest(spec);
  const stored = await insertReleaseIfAbsent(db, {
    id: newId('rel'),
    project,
    service: spec.service,
    version: spec.version,
    spec,
    digest,
  });
  if (stored.digest !== digest) {
    const changed = differences(stored.spec, spec);
    throw new EngineError(
      'conflict',
      `release ${spec.version} of ${spec.service} already exists with different settings ` +
        `(${changed.join(', ') || 'spec'}); releases are immutable — deploy a new version`,
      { release: stored.id, changed },
    );
  }
  return stored;
}
