import type { ProjectConfig } from '../config/model.js';
import { SlipwayError } from '../shared/errors.js';

/**
 * A list's environment and service filters checked against the project's config: a typo (`--env prodution`)
 * is a 404 naming what is declared, not an empty list that reads as "nothing happened there".
 */
export function assertDeclared(config: ProjectConfig, filters: { environment?: string; service?: string }): void {
  const { environment, service } = filters;
  const declared = config.environments.map((e) => e.name);
  if (environment && !declared.includes(environment))
    throw new SlipwayError('not_found', `environment "${environment}" is not declared (${declared.join(', ')})`);
  if (service && !config.services.some((s) => s.name === service))
    throw new SlipwayError('not_found', `service "${service}" is not declared in project "${config.project}"`);
}
