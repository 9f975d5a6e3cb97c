/**
 * The order a release's components move in. Explicit `dependsOn` wins; without it the database
 * service (whose release carries the expand migrations) moves first and every other service after
 * it, so no live version meets a schema it does not know. Contract migrations stay where they are
 * today: in a later release, once no live release needs the old shape.
 */
import type { ProjectConfig } from '../../config/model.js';

/** What each service waits for when a release ships, config's `dependsOn` or the default. */
export function dependenciesOf(config: Pick<ProjectConfig, 'services' | 'database'>): Map<string, string[]> {
  const database = config.database?.service;
  return new Map(
    config.services.map((s) => [
      s.name,
      s.dependsOn ??
        (database && s.name !== database && config.services.some((o) => o.name === database) ? [database] : []),
    ]),
  );
}

/**
 * Each named service's level: 0 for those that wait for nobody among `services`, else one more than
 * the highest level they wait for. Dependencies outside `services` (not part of this release) are
 * already live and do not hold anything back. Config checks refuse cycles; a cycle here is a bug.
 */
export function componentLevels(
  config: Pick<ProjectConfig, 'services' | 'database'>,
  services: readonly string[],
): Map<string, number> {
  const deps = dependenciesOf(config);
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (name: string): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`dependency cycle through ${name} (config checks should refuse it)`);
    visiting.add(name);
    const inRelease = (deps.get(name) ?? []).filter((d) => services.includes(d));
    const level = inRelease.length === 0 ? 0 : Math.max(...inRelease.map(levelOf)) + 1;
    visiting.delete(name);
    levels.set(name, level);
    return level;
  };
  for (const s of services) levelOf(s);
  return levels;
}
