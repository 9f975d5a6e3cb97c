import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

function withServices(services: Record<string, { dependsOn?: unknown }>) {
  const raw = rawConfig();
  raw.services = Object.fromEntries(
    Object.entries(services).map(([name, extra], i) => [
      name,
      { command: 'node', route: { pathPrefix: `/${name}${i}` }, ...extra },
    ]),
  );
  return raw;
}

describe('dependsOn', () => {
  it('is kept, without repeats, in the normalized config', () => {
    const config = validateConfigObject(withServices({ api: {}, web: { dependsOn: ['api', 'api'] } }), {
      baseDir: '/srv/app',
    });
    expect(config.services.find((s) => s.name === 'web')!.dependsOn).toEqual(['api']);
    expect(config.services.find((s) => s.name === 'api')!.dependsOn).toBeUndefined();
  });

  it('names an unknown service at its key path, with a suggestion', () => {
    expect(issuesFor(withServices({ api: {}, web: { dependsOn: ['apj'] } }))).toEqual([
      { path: 'services.web.dependsOn[0]', message: 'unknown service "apj" (did you mean "api"?)' },
    ]);
  });

  it('refuses a service depending on itself', () => {
    expect(issuesFor(withServices({ api: { dependsOn: ['api'] } }))).toEqual([
      { path: 'services.api.dependsOn[0]', message: 'api cannot depend on itself' },
    ]);
  });

  it('refuses a cycle, naming it', () => {
    const raw = withServices({
      api: { dependsOn: ['quote'] },
      quote: { dependsOn: ['web'] },
      web: { dependsOn: ['api'] },
    });
    expect(issuesFor(raw)).toEqual([
      {
        path: 'services.api.dependsOn',
        message: 'dependency cycle: api → quote → web → api; a release could never start any of them',
      },
    ]);
  });
});
