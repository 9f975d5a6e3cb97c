/**
 * The release preflight of this coordinator: frontend (static) services only, for now. Their build
 * must be there with its index.html (or already published), and within its bundle budget against
 * the live release's build. Checked once per deployment, before anything starts.
 */
import path from 'node:path';
import { staticStoreDir } from '../config/normalize-static.js';
import type { PreflightInput, ReleasePreflight } from '../engine/release-preflight.js';
import { checkBundleBudget } from '../gates/bundle-budget.js';
import { SlipwayError } from '../shared/errors.js';
import { staticReleaseProblem } from '../static/preflight.js';

const withVersion = (template: string, version: string) => template.replaceAll('{version}', version);

export const staticPreflight: ReleasePreflight = {
  async check(input: PreflightInput): Promise<void> {
    const site = input.service.static;
    if (!site) return;
    const buildDir = withVersion(site.dir, input.version);
    const problem = await staticReleaseProblem({
      store: staticStoreDir(input.dataDir, input.project, input.service.name),
      buildDir,
      version: input.version,
    });
    if (problem) {
      throw new SlipwayError('invalid_input', `${input.service.name} ${input.version}: ${problem}`, { buildDir });
    }
    const budget = site.budget;
    if (!budget) return;
    const previousDir = input.stableVersion ? withVersion(site.dir, input.stableVersion) : undefined;
    const result = await checkBundleBudget({
      dir: buildDir,
      ...(previousDir && budget.maxGrowth !== undefined ? { previousDir } : {}),
      budget: {
        // The manifest is configured relative to the build ({version} in the same place in both).
        manifest: path.relative(site.dir, budget.manifest),
        ...(budget.totalBytes !== undefined ? { total: budget.totalBytes } : {}),
        ...(budget.perEntryBytes !== undefined ? { perEntry: budget.perEntryBytes } : {}),
        ...(budget.maxGrowth !== undefined ? { maxGrowth: budget.maxGrowth } : {}),
      },
    });
    if (result.ok) return;
    throw new SlipwayError(
      'conflict',
      `${input.service.name} ${input.version} is over its bundle budget (static.budget; ${result.compression}):\n  ` +
        result.problems.join('\n  '),
      { budget: { total: result.total, problems: result.problems } },
    );
  },
};
