import { describe, expect, it } from 'vitest';
import { compareVersions } from './release-order.js';
import { contractBlockers, describeBlockers } from './blockers.js';
import type { Migration } from '../types.js';

describe('compareVersions', () => {
  it.each([
    ['1.10.0', '1.9.0', 1],
    ['2.0.0', '2.0.0', 0],
    ['2.0.0-rc.1', '2.0.0', -1],
    ['2.0.0-rc.2', '2.0.0-rc.10', -1],
    ['v3', '2.9.9', 1],
    ['1.0', '1.0.0', 0],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

describe('contractBlockers', () => {
  const contract = (after: string | null): Migration => ({
    version: 3,
    id: '0003_drop_old',
    name: 'drop_old',
    upPath: 'u',
    downPath: null,
    up: '',
    down: null,
    checksum: '',
    phase: 'contract',
    irreversible: true,
    after,
  });
  const live = [
    { environment: 'staging', version: '3.0.0', instances: 2 },
    { environment: 'production', version: '2.0.0', instances: 4 },
    { environment: 'production', version: '1.0.0', instances: 1 },
  ];
  it('blocks on releases older than after=', () => {
    expect(contractBlockers(contract('2.0.0'), '3.0.0', live).map((b) => b.version)).toEqual(['1.0.0']);
  });
  it('defaults to the release that ships it', () => {
    const blockers = contractBlockers(contract(null), '3.0.0', live);
    expect(describeBlockers(blockers)).toBe('2.0.0 (production: 4 instances), 1.0.0 (production: 1 instance)');
  });
});
