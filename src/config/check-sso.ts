/** sso.groups grants name declared environments (a typo would silently grant nothing). */
import type { RawIssue } from './messages.js';
import { entriesOf, field, isMapping } from './raw.js';
import { hint } from './suggest.js';
import { grantTextPattern } from './sso-schema.js';

export function checkSso(raw: unknown): RawIssue[] {
  const groups = field(field(raw, 'sso'), 'groups');
  if (!isMapping(groups) || !isMapping(field(raw, 'environments'))) return [];
  const environments = entriesOf(field(raw, 'environments')).map(([name]) => name);
  const issues: RawIssue[] = [];
  for (const [group, grants] of entriesOf(groups)) {
    if (!Array.isArray(grants)) continue;
    grants.forEach((grant, i) => {
      // Malformed grants are the schema's to report; only well-formed ones are checked here.
      if (typeof grant !== 'string' || !grantTextPattern.test(grant)) return;
      const listed = grant.split(':')[1]!;
      if (listed === '*') return;
      for (const environment of listed.split(',')) {
        if (!environments.includes(environment)) {
          issues.push({
            path: ['sso', 'groups', group, i],
            message:
              `unknown environment "${environment}" in grant ` +
              `"${grant}"${hint(environment, environments, 'a declared environment')}`,
          });
        }
      }
    });
  }
  return issues;
}
