import { SlipwayError } from '../shared/errors.js';
import type { ProjectConfig } from './model.js';

/**
 * Project configs are stored normalized (the model in model.ts), with the version of that shape.
 * A coordinator reads configs that older versions stored — it upgrades them here, one version at
 * a time — and refuses clearly what it cannot read (a newer Slipway's, or a damaged row).
 *
 * Version 1: stored before versions were recorded; environments may lack the promotion rules,
 * freeze windows and post-deploy watch added later. Version 2: the model as it is now.
 */
export const storedConfigVersion = 2;

type Upgrade = (config: Record<string, unknown>) => Record<string, unknown>;

/** upgrades[n] turns a version-n config into a version-(n+1) one. */
const upgrades: Record<number, Upgrade> = {
  1: (config) => ({
    ...config,
    runtime: config.runtime ?? {},
    environments: (config.environments as Record<string, unknown>[]).map((e) => ({
      ...e,
      requires: e.requires ?? [],
      soakMs: e.soakMs ?? 0,
      freezes: e.freezes ?? [],
      watch: e.watch ?? { forMs: 5 * 60_000, onRegression: 'rollback' },
    })),
  }),
};

/** The stored config as this version's model, or a `conflict` error saying why it cannot be read. */
export function readStoredConfig(project: string, raw: unknown, version: number): ProjectConfig {
  const refuse = (why: string) =>
    new SlipwayError('conflict', `the stored config of project "${project}" cannot be read: ${why}`, {
      project,
      version,
    });
  if (version > storedConfigVersion)
    throw refuse(
      `it was stored by a newer Slipway (config version ${version}; this one reads up to ${storedConfigVersion}); ` +
        'upgrade Slipway, or apply slipway.yaml again with this one',
    );
  if (!Number.isInteger(version) || version < 1) throw refuse(`unknown config version ${version}`);
  const missing = missingParts(raw);
  if (missing) throw refuse(`${missing}; apply slipway.yaml again`);
  let config = raw as Record<string, unknown>;
  for (let v = version; v < storedConfigVersion; v++) config = upgrades[v]!(config);
  return config as unknown as ProjectConfig;
}

/** The first part every version of the model has that this row lacks, if any. */
function missingParts(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'it is not an object';
  const c = raw as Record<string, unknown>;
  if (typeof c.project !== 'string') return '"project" is missing';
  if (!Array.isArray(c.environments)) return '"environments" is missing';
  if (!Array.isArray(c.services)) return '"services" is missing';
  if (typeof c.baseDir !== 'string') return '"baseDir" is missing';
  return undefined;
}
