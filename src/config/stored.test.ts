import { describe, expect, it } from 'vitest';
import { readStoredConfig, storedConfigVersion } from './stored.js';

const v1 = {
  project: 'p',
  baseDir: '/srv/p',
  environments: [
    { name: 'staging', listen: '127.0.0.1:1' },
    { name: 'production', listen: '127.0.0.1:2', requires: ['staging'], soakMs: 60000, freezes: [] },
  ],
  services: [],
};

describe('readStoredConfig', () => {
  it('upgrades a version-1 config: environments gain the promotion rules, freezes and watch they lacked', () => {
    const c = readStoredConfig('p', v1, 1);
    expect(c.environments[0]).toEqual({
      name: 'staging',
      listen: '127.0.0.1:1',
      requires: [],
      soakMs: 0,
      freezes: [],
      watch: { forMs: 300_000, onRegression: 'rollback' },
    });
    // What was there is kept.
    expect(c.environments[1]).toMatchObject({ requires: ['staging'], soakMs: 60000 });
  });

  it('reads the current version as it is', () => {
    const current = readStoredConfig('p', v1, 1);
    expect(readStoredConfig('p', current, storedConfigVersion)).toEqual(current);
  });

  it("refuses a newer Slipway's config, saying what to do", () => {
    expect(() => readStoredConfig('p', v1, storedConfigVersion + 1)).toThrow(
      new RegExp(
        `stored config of project "p" cannot be read: it was stored by a newer Slipway \\(config version ` +
          `${storedConfigVersion + 1}; ` +
          `this one reads up to ${storedConfigVersion}\\)`,
      ),
    );
  });

  it('refuses a damaged row, naming the missing part', () => {
    expect(() => readStoredConfig('p', { ...v1, environments: undefined }, 1)).toThrow(
      /"environments" is missing; apply slipway.yaml again/,
    );
    expect(() => readStoredConfig('p', 'text', 1)).toThrow(/not an object/);
    expect(() => readStoredConfig('p', v1, 0)).toThrow(/unknown config version 0/);
  });
});
