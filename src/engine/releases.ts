import { createHash } from 'node:crypto';
import type { ReleaseSpec, ResolvedService } from '../config/model.js';
import { resolveRelease } from '../config/resolve.js';
import { newId } from '../shared/ids.js';
import type { Queryable } from '../store/db.js';
import { getReleaseByVersion, insertReleaseIfAbsent, type ReleaseRecord } from '../store/repos/releases.js';
import { EngineError } from './errors.js';

/** A stable digest of what a release runs (keys sorted, so env order does not matter). */
export function releaseDigest(spec: ReleaseSpec): string {
  const sortedOf = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const sorted = { ...spec, env: sortedOf(spec.env), ...(spec.sets ? { sets: sortedOf(spec.sets) } : {}) };
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
 * The spec of `version` for a deployment: with `sets` when any are given; without, with the sets the release was made
 * with, so a version staged with --set is promoted as the release it is rather than refused as a different one.
 */
export async function releaseSpecFor(
  db: Queryable,
  project: string,
  service: ResolvedService,
  version: string,
  sets: Record<string, string> = {},
): Promise<ReleaseSpec> {
  if (Object.keys(sets).length > 0) return resolveRelease(service, version, sets);
  const stored = await getReleaseByVersion(db, project, service.name, version);
  return resolveRelease(service, version, stored?.spec.sets ?? {});
}

/**
 * Whether `stored` runs in the environment being deployed to exactly as `spec` would: the same but for env, and the
 * same env once that environment adds its own (`environmentEnv`, at every start, as for any release). This is the
 * case of a release recorded before 2026-12-07, when the environment's own env was still written into the release:
 * deploying it there again must not be refused as a different release after an upgrade. (Any stored release that
 * differs only in keys the environment sets anyway runs the same there, so it passes too.)
 */
function isLegacyOf(stored: ReleaseSpec, spec: ReleaseSpec, environmentEnv: Record<string, string>): boolean {
  if (Object.keys(environmentEnv).length === 0) return false;
  const started = (s: ReleaseSpec): ReleaseSpec => ({ ...s, env: { ...s.env, ...environmentEnv } });
  // Field by field (differences), not by digest: a spec read back from the store has its keys in another order.
  return differences(started(stored), started(spec)).length === 0;
}

/**
 * Record a release, or return the recorded one. Releases are immutable: the same version with
 * different settings is refused, naming what differs, so "2.0.0" always means one thing.
 * `environmentEnv`: the env the environment deployed to adds at start (environmentEnvFor), to recognise a release
 * recorded with it (isLegacyOf).
 */
export async function ensureRelease(
  db: Queryable,
  project: string,
  spec: ReleaseSpec,
  environmentEnv: Record<string, string> = {},
): Promise<ReleaseRecord> {
  const digest = releaseDigest(spec);
  const stored = await insertReleaseIfAbsent(db, {
    id: newId('rel'),
    project,
    service: spec.service,
    version: spec.version,
    spec,
    digest,
  });
  if (stored.digest !== digest && !isLegacyOf(stored.spec, spec, environmentEnv)) {
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
