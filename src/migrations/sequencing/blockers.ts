import type { Migration } from '../types.js';
import { compareVersions } from './release-order.js';

/** A release with instances running in an environment that uses the database. */
export interface LiveRelease {
  environment: string;
  version: string;
  instances: number;
}

/**
 * The live releases that still need the schema a contract migration removes: those older than
 * its `after=` release, or than the release that ships it when `after` is not given (the safe
 * default: the contract runs once only that release or newer is live).
 */
export function contractBlockers(migration: Migration, shippedWith: string, live: LiveRelease[]): LiveRelease[] {
  const after = migration.after ?? shippedWith;
  return live.filter((release) => compareVersions(release.version, after) < 0);
}

/** "2.0.0 (staging: 2 instances, production: 4 instances)" for messages. */
export function describeBlockers(blockers: LiveRelease[]): string {
  const byVersion = new Map<string, string[]>();
  for (const b of blockers)
    byVersion.set(b.version, [
      ...(byVersion.get(b.version) ?? []),
      `${b.environment}: ${b.instances} instance${b.instances === 1 ? '' : 's'}`,
    ]);
  return [...byVersion].map(([version, where]) => `${version} (${where.join(', ')})`).join(', ');
}
