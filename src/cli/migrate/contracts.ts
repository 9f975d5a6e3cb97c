import type { ProjectConfig } from '../../config/model.js';
import { contractBlockers, describeBlockers, type LiveRelease } from '../../migrations/sequencing/blockers.js';
import type { Migration } from '../../migrations/types.js';
import { messageOf } from '../../shared/errors.js';
import type { GlobalOptions } from '../context.js';
import { fetchLiveReleases } from './live.js';

export interface ContractCheck {
  migration: Migration;
  blockers: LiveRelease[] | null;
  /** Why blockers are unknown (coordinator unreachable, no release to compare with). */
  unknown?: string;
}

/** For each pending contract migration: the live releases that still need the old schema. */
export async function checkContracts(
  global: GlobalOptions,
  config: ProjectConfig | undefined,
  environment: string | undefined,
  pending: Migration[],
  version: string | undefined,
): Promise<ContractCheck[]> {
  const contracts = pending.filter((m) => m.phase === 'contract');
  if (contracts.length === 0) return [];
  let live: LiveRelease[] | null = null;
  let unknown: string | undefined;
  if (!config?.database) unknown = 'no database section in slipway.yaml names the service whose releases are live';
  else {
    try {
      live = await fetchLiveReleases(global, config, environment ?? config.environments[0]!.name);
    } catch (e) {
      unknown = `cannot ask the coordinator which releases are live: ${messageOf(e)}`;
    }
  }
  return contracts.map((migration) => {
    if (!live) return { migration, blockers: null, unknown: unknown! };
    const shippedWith = migration.after ?? version;
    if (!shippedWith)
      return {
        migration,
        blockers: null,
        unknown: `${migration.id} has no after=VERSION; pass --version (the release that ships it)`,
      };
    return { migration, blockers: contractBlockers(migration, shippedWith, live) };
  });
}

/** The last version `apply` may reach: just before the first contract that is blocked or unknowable. */
export function contractLimit(checks: ContractCheck[], ignoreLive: boolean): { limit: number | null; reason?: string } {
  if (ignoreLive) return { limit: null };
  for (const check of checks) {
    if (check.blockers === null)
      return {
        limit: check.migration.version - 1,
        reason: `${check.migration.id} not applied: ${check.unknown}; or pass --ignore-live-releases`,
      };
    if (check.blockers.length > 0) {
      return {
        limit: check.migration.version - 1,
        reason:
          `contract migration ${check.migration.id} waits: ${describeBlockers(check.blockers)} still live and ` +
          `may need the old schema`,
      };
    }
  }
  return { limit: null };
}
