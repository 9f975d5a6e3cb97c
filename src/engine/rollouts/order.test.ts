import { describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../config/model.js';
import { componentLevels } from './order.js';

const config = (services: { name: string; dependsOn?: string[] }[], database?: string) =>
  ({
    services,
    ...(database ? { database: { service: database } } : {}),
  }) as unknown as Pick<ProjectConfig, 'services' | 'database'>;

describe('component order', () => {
  it('by default the database service moves first and every other service after it', () => {
    const c = config([{ name: 'api' }, { name: 'web' }, { name: 'quote' }], 'api');
    expect(Object.fromEntries(componentLevels(c, ['api', 'web', 'quote']))).toEqual({ api: 0, web: 1, quote: 1 });
  });

  it('without a database everything moves together', () => {
    const c = config([{ name: 'api' }, { name: 'web' }]);
    expect(Object.fromEntries(componentLevels(c, ['api', 'web']))).toEqual({ api: 0, web: 0 });
  });

  it('dependsOn builds levels; dependencies outside the release hold nothing back', () => {
    const c = config(
      [
        { name: 'db', dependsOn: [] },
        { name: 'api', dependsOn: ['db', 'quote'] },
        { name: 'quote', dependsOn: ['db'] },
        { name: 'web', dependsOn: ['api'] },
      ],
      'db',
    );
    expect(Object.fromEntries(componentLevels(c, ['db', 'api', 'quote', 'web']))).toEqual({
      db: 0,
      quote: 1,
      api: 2,
      web: 3,
    });
    expect(Object.fromEntries(componentLevels(c, ['api', 'web']))).toEqual({ api: 0, web: 1 });
  });
});
