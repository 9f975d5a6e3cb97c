/** Trigger rules name declared environments and services (read from the raw input, like the other cross-field checks).
 * */
import type { RawIssue } from './messages.js';
import { entriesOf, field, isMapping } from './raw.js';
import { hint } from './suggest.js';

export function checkTriggers(raw: unknown): RawIssue[] {
  const rules = field(field(field(raw, 'triggers'), 'github'), 'rules');
  if (!Array.isArray(rules)) return [];
  const environments = isMapping(field(raw, 'environments'))
    ? entriesOf(field(raw, 'environments')).map(([name]) => name)
    : undefined;
  const services = isMapping(field(raw, 'services'))
    ? entriesOf(field(raw, 'services')).map(([name]) => name)
    : undefined;
  const issues: RawIssue[] = [];
  rules.forEach((rule, i) => {
    const path = ['triggers', 'github', 'rules', i];
    const environment = field(rule, 'environment');
    if (environments && typeof environment === 'string' && !environments.includes(environment)) {
      issues.push({
        path: [...path, 'environment'],
        message: `unknown environment "${environment}"${hint(environment, environments, 'a declared environment')}`,
      });
    }
    const listed = field(rule, 'services');
    if (!services || !Array.isArray(listed)) return;
    listed.forEach((service, j) => {
      if (typeof service === 'string' && !services.includes(service)) {
        issues.push({
          path: [...path, 'services', j],
          message: `unknown service "${service}"${hint(service, services, 'a declared service')}`,
        });
      }
    });
  });
  return issues;
}
