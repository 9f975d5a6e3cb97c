import { describe, expect, it } from 'vitest';
import { assertEmergencyAllowed } from './emergency.js';

const token = (grants: { role: 'deployer' | 'admin'; environments: string[] | '*' }[]) => ({
  tokenId: 'tok_1',
  name: 'release-bot',
  grants,
});

describe('an emergency through a freeze', () => {
  it('is allowed to an admin of the environment, and is no question when none is asked for', () => {
    expect(() =>
      assertEmergencyAllowed(
        { reason: 'outage' },
        token([{ role: 'admin', environments: ['production'] }]),
        'production',
        'release',
      ),
    ).not.toThrow();
    expect(() => assertEmergencyAllowed(undefined, undefined, 'production', 'deployment')).not.toThrow();
  });

  it('is refused to anyone else, naming the token and what it holds', () => {
    const deployer = token([
      { role: 'deployer', environments: '*' },
      { role: 'admin', environments: ['staging'] },
    ]);
    expect(() => assertEmergencyAllowed({ reason: 'outage' }, deployer, 'production', 'release')).toThrow(
      /^an emergency release needs admin on production; token "release-bot" has deployer on \*, admin on staging$/,
    );
    expect(() => assertEmergencyAllowed({ reason: 'outage' }, undefined, 'production', 'deployment')).toThrow(
      /an emergency deployment needs admin on production/,
    );
  });
});
