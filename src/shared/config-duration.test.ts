import { describe, expect, it } from 'vitest';
import { configDuration } from './config-duration.js';

describe('configDuration', () => {
  it('durations in the unit a config would use', () => {
    expect([30 * 86_400_000, 64 * 3_600_000, 30_000, 1000, 90_000, 250, 0].map(configDuration)).toEqual([
      '30d',
      '64h',
      '30s',
      '1s',
      '90s',
      '250ms',
      '0',
    ]);
  });
});
