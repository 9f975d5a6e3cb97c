import { roles, type Grant, type Role } from '../access/types.js';
import { CliError } from './errors.js';

const environmentName = /^[a-z][a-z0-9-]*$/;

/**
 * `--grant ROLE:ENV[,ENV]` (repeatable) to grants; `ROLE:*` = every environment and project-wide.
 * @example parseGrant('deployer:staging,production') // { role: 'deployer', environments: ['staging', 'production'] }
 */
export function parseGrant(flag: string): Grant {
  const [role, envs, ...rest] = flag.split(':');
  const usage =
    `--grant "${flag}": expected ROLE:ENVIRONMENT[,ENVIRONMENT] or ROLE:'*' (like deployer:staging), ` +
    `ROLE one of ${roles.join(', ')}`;
  if (!role || envs === undefined || rest.length > 0) throw new CliError('invalid_input', usage);
  if (!roles.includes(role as Role))
    throw new CliError(
      'invalid_input',
      `--grant "${flag}": unknown role "${role}"; expected one of ${roles.join(', ')}`,
    );
  if (envs === '*') return { role: role as Role, environments: '*' };
  const environments = envs.split(',').map((e) => e.trim());
  const bad = environments.find((e) => !environmentName.test(e));
  if (bad !== undefined)
    throw new CliError(
      'invalid_input',
      `--grant "${flag}": "${bad}" is not an environment name (lowercase letters, digits and dashes) or '*'`,
    );
  return { role: role as Role, environments };
}
