import type { RawIssue } from './messages.js';
import { entriesOf, field } from './raw.js';

/** Instances run on Kubernetes, or here and on SSH hosts: `hosts:` beside `runtime.kubernetes` is refused. */
export function checkKubernetesHosts(raw: unknown): RawIssue[] {
  if (field(field(raw, 'runtime'), 'kubernetes') === undefined) return [];
  const issues: RawIssue[] = [];
  const message = 'cannot be used with runtime.kubernetes (instances run on the cluster)';
  for (const [environment, config] of entriesOf(field(raw, 'environments')))
    if (field(config, 'hosts') !== undefined) issues.push({ path: ['environments', environment, 'hosts'], message });
  for (const [service, config] of entriesOf(field(raw, 'services')))
    for (const [environment, override] of entriesOf(field(config, 'environments')))
      if (field(override, 'hosts') !== undefined)
        issues.push({ path: ['services', service, 'environments', environment, 'hosts'], message });
  return issues;
}
