import type { ProjectConfig } from '../config/model.js';
import { firstMatchingRule } from './branch-pattern.js';
import { versionFor, type PushEvent } from './push-event.js';

/** A deployment a push asks for. */
export interface PlannedDeployment {
  project: string;
  service: string;
  environment: string;
  version: string;
}

/** What a push means for one project: deployments, or why there are none. */
export type PushPlan = { deploy: PlannedDeployment[] } | { ignored: string };

/**
 * The deployments a push asks of a project under its `triggers.github.rules`: one per service
 * of the first rule whose branch matches. Tags, deleted branches and unmatched branches deploy nothing.
 */
export function planPush(config: ProjectConfig, push: PushEvent): PushPlan {
  if (push.deleted) return { ignored: `${push.ref} was deleted` };
  if (!push.branch) return { ignored: `${push.ref} is not a branch` };
  const rules = config.triggers?.github?.rules ?? [];
  const rule = firstMatchingRule(rules, push.branch);
  if (!rule)
    return {
      ignored:
        `no rule of triggers.github matches branch "${push.branch}" (rules: ` +
        `${rules.map((r) => r.branch).join(', ') || 'none'})`,
    };
  const services = rule.services ?? config.services.map((s) => s.name);
  const version = versionFor(rule.version, push.sha);
  return {
    deploy: services.map((service) => ({ project: config.project, service, environment: rule.environment, version })),
  };
}
