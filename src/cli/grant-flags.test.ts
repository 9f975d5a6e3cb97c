import { describe, expect, it } from 'vitest';
import { parseGrant } from './grant-flags.js';

describe('--grant ROLE:ENV[,ENV]', () => {
  it('parses one or more environments, or *', () => {
    expect(parseGrant('deployer:staging')).toEqual({ role: 'deployer', environments: ['staging'] });
    expect(parseGrant('approver:staging,production')).toEqual({
      role: 'approver',
      environments: ['staging', 'production'],
    });
    expect(parseGrant('viewer:*')).toEqual({ role: 'viewer', environments: '*' });
  });

  it('names the flag and what is wrong', () => {
    expect(() => parseGrant('deployer')).toThrow('--grant "deployer": expected ROLE:ENVIRONMENT[,ENVIRONMENT]');
    expect(() => parseGrant('root:staging')).toThrow(
      '--grant "root:staging": unknown role "root"; expected one of viewer, deployer, approver, admin',
    );
    expect(() => parseGrant('viewer:Prod')).toThrow('--grant "viewer:Prod": "Prod" is not an environment name');
    expect(() => parseGrant('viewer:staging,')).toThrow('"" is not an environment name');
  });
});
