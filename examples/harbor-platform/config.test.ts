import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigWithWarnings } from '../../src/config/load.js';
import { loadMigrations } from '../../src/migrations/files.js';

/** The example's slipway.yaml and the migrations each release ships, as Slipway reads them. */
const here = path.dirname(fileURLToPath(import.meta.url));
const releases = ['1.0.0', '2.0.0', '3.0.0'];

describe('harbor-platform slipway.yaml', () => {
  it('is valid, with nothing to warn about', async () => {
    const { config, warnings } = await loadConfigWithWarnings(path.join(here, 'slipway.yaml'));
    expect(warnings).toEqual([]);
    expect(config.services.map((s) => [s.name, s.route.pathPrefix])).toEqual([
      ['api', '/api'],
      ['pricing', '/quotes'],
      ['web', '/'],
    ]);
    const web = config.services.find((s) => s.name === 'web')!;
    expect(web.dependsOn).toEqual(['api']);
    expect(web.static).toMatchObject({ dir: path.join(here, 'frontend/releases/{version}/dist'), keep: 3, spa: true });
    expect(config.database?.service).toBe('api');
    expect(config.database?.integrityChecks?.length).toBeGreaterThan(0);
  });

  it('each release ships the whole history, and a migration never changes between releases', () => {
    const seen = new Map<string, string>();
    for (const release of releases) {
      const migrations = loadMigrations(path.join(here, 'releases', release, 'migrations'));
      for (const m of migrations) {
        expect(seen.get(m.id) ?? m.checksum, `${release}: ${m.id}`).toBe(m.checksum);
        seen.set(m.id, m.checksum);
      }
      expect(migrations.map((m) => m.id)).toEqual(
        release === '1.0.0' ? ['0001_vessels_policies'] : ['0001_vessels_policies', '0002_vessels_flag_state'],
      );
    }
    const flagState = loadMigrations(path.join(here, 'releases/2.0.0/migrations'))[1]!;
    expect(flagState.phase).toBe('expand');
  });
});
