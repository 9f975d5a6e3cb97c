import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '../../shared/errors.js';
import { formatKeyPath, parseEnvironmentRoutes } from './route-schema.js';

const valid = {
  environment: 'staging',
  listen: '127.0.0.1:8080',
  routes: [
    {
      service: 'quote-api',
      match: { pathPrefix: '/api' },
      releases: [
        { release: '1.0.0', role: 'stable', weight: 100, upstreams: [{ id: 'ins_1', address: '127.0.0.1:9001' }] },
      ],
    },
  ],
};

function issuesOf(input: unknown): string[] {
  try {
    parseEnvironmentRoutes(input, 'test');
  } catch (e) {
    if (!isSlipwayError(e)) throw e;
    expect(e.code).toBe('invalid_input');
    return (e.details!.issues as { path: string }[]).map((i) => i.path);
  }
  throw new Error('expected a validation error');
}

describe('parseEnvironmentRoutes', () => {
  it('accepts a valid table', () => {
    expect(parseEnvironmentRoutes(valid, 'test')).toEqual(valid);
  });

  it('names the key path of each problem', () => {
    const bad = structuredClone(valid) as any;
    bad.routes[0].match.pathPrefix = 'api';
    bad.routes[0].releases[0].weight = -1;
    bad.routes[0].releases[0].upstreams[0].address = 'nowhere';
    bad.listen = '127.0.0.1:99999';
    expect(issuesOf(bad).sort()).toEqual([
      'listen',
      'routes[0].match.pathPrefix',
      'routes[0].releases[0].upstreams[0].address',
      'routes[0].releases[0].weight',
    ]);
  });

  it('puts the key path into the message', () => {
    const bad = structuredClone(valid) as any;
    bad.routes[0].releases[0].role = 'canary';
    expect(() => parseEnvironmentRoutes(bad, 'PUT /routes/staging')).toThrow(
      /PUT \/routes\/staging: routes\[0\]\.releases\[0\]\.role/,
    );
  });

  it('rejects unknown keys, duplicate releases, duplicate upstream ids and duplicate matches', () => {
    const bad = structuredClone(valid) as any;
    bad.routes[0].wieght = 1;
    expect(issuesOf(bad)).toEqual(['routes[0]']);
    const dup = structuredClone(valid) as any;
    dup.routes[0].releases.push({ ...dup.routes[0].releases[0] });
    expect(issuesOf(dup).sort()).toEqual(['routes[0].releases[1].release', 'routes[0].releases[1].upstreams[0].id']);
    const twice = structuredClone(valid) as any;
    twice.routes.push({ ...twice.routes[0], service: 'other', releases: [] });
    expect(issuesOf(twice)).toEqual(['routes[1].match']);
  });

  it('rejects names that cannot travel in URLs, cookies or labels', () => {
    expect(issuesOf({ ...valid, environment: 'stag ing' })).toEqual(['environment']);
    expect(issuesOf({ ...valid, environment: '' })).toEqual(['environment']);
    expect(issuesOf(null)).toEqual(['(root)']);
  });

  it('formats key paths', () => {
    expect(formatKeyPath(['routes', 0, 'releases', 1, 'weight'])).toBe('routes[0].releases[1].weight');
    expect(formatKeyPath([])).toBe('(root)');
  });
});
