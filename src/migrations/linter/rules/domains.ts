/**
 * Domain constraints. Adding one (or NOT NULL) to an existing domain checks every column of
 * every table that uses the domain, locking them while it scans; a domain declared with
 * constraints makes every later change to them that expensive.
 */
import type { AlterDomainStmt, CreateDomainStmt } from 'libpg-query';
import type { LintContext } from '../context.js';
import { keyOfNames, namesOf, nodeAs } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const addDomainConstraint = defineRule(
  'add-domain-constraint-without-not-valid',
  'locking',
  'ALTER DOMAIN ADD CONSTRAINT without NOT VALID scans every column of the domain under lock.',
);
export const domainSetNotNull = defineRule(
  'domain-set-not-null',
  'locking',
  'ALTER DOMAIN SET NOT NULL scans every column of the domain under lock.',
);
export const createDomainWithConstraint = defineRule(
  'create-domain-with-constraint',
  'safe',
  'Constraints on a domain are expensive to change later; prefer CHECK constraints on the columns.',
);

function checkAlterDomain(node: AlterDomainStmt, ctx: LintContext, hits: Hit[]): void {
  const parts = namesOf(node.typeName);
  if (ctx.newTypes.has(keyOfNames(parts))) return;
  const domain = parts.join('.');
  // subtype: C = ADD CONSTRAINT, O = SET NOT NULL (gram.y).
  if (node.subtype === 'C') {
    const constraint = nodeAs(node.def, 'Constraint');
    if (!constraint || constraint.skip_validation) return;
    hits.push({
      rule: addDomainConstraint,
      message:
        `constraint ${constraint.conname ?? '(unnamed)'} is added to domain ${domain} and checked at once ` +
        `against every column of that type, locking those tables while it scans`,
      safeAlternative:
        `ALTER DOMAIN ${domain} ADD CONSTRAINT … CHECK (…) NOT VALID; then ALTER DOMAIN ${domain} ` +
        `VALIDATE CONSTRAINT … separately.`,
      lock: 'SHARE',
    });
  } else if (node.subtype === 'O') {
    hits.push({
      rule: domainSetNotNull,
      message:
        `domain ${domain} gets SET NOT NULL: every column of that type is scanned for NULLs while its table ` +
        `is locked`,
      safeAlternative:
        `ALTER DOMAIN ${domain} ADD CONSTRAINT ${parts[parts.length - 1]}_not_null CHECK (VALUE IS ` +
        `NOT NULL) NOT VALID; then VALIDATE CONSTRAINT separately.`,
      lock: 'SHARE',
    });
  }
}

function checkCreateDomain(node: CreateDomainStmt, _ctx: LintContext, hits: Hit[]): void {
  const constrained = (node.constraints ?? []).some((item) => nodeAs(item, 'Constraint')?.contype === 'CONSTR_CHECK');
  if (!constrained) return;
  const domain = namesOf(node.domainname).join('.');
  hits.push({
    rule: createDomainWithConstraint,
    message:
      `domain ${domain} is declared with a CHECK constraint: changing it later re-checks every column of ` +
      `that type under lock`,
    safeAlternative:
      `Use the base type and put the CHECK on each column (ADD CONSTRAINT … NOT VALID / VALIDATE ` +
      `works there), or accept the cost knowingly.`,
  });
}

export const domainRules: RuleModule = {
  rules: [addDomainConstraint, domainSetNotNull, createDomainWithConstraint],
  statements: { AlterDomainStmt: checkAlterDomain, CreateDomainStmt: checkCreateDomain },
};
