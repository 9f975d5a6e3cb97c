import type { DeploymentRecord } from '../../model/deployment.js';

/**
 * The one line that ends a deployment's timeline. A `slipway rollback` deployment that completes
 * says the service is back on the earlier release — never "deployment succeeded … new release".
 */
export function finishMessage(
  d: Pick<DeploymentRecord, 'kind' | 'state' | 'service' | 'environment' | 'reason'>,
  versions: { from?: string | undefined; to?: string | undefined },
): string {
  const reason = (d.reason ?? '').split('\n')[0];
  const to = versions.to ? ` ${versions.to}` : ' the new release';
  switch (d.state) {
    case 'succeeded':
      return d.kind === 'rollback'
        ? `rollback done: ${d.service} is back on${versions.to ? ` ${versions.to}` : ' the previous release'} in ` +
            `${d.environment}`
        : `deployment succeeded: ${d.service} is on${to} in ${d.environment}`;
    case 'failed':
      return `${d.kind === 'rollback' ? 'rollback' : 'deployment'} failed: ${reason}`;
    default:
      return `${d.kind === 'rollback' ? 'rollback' : 'deployment'} rolled back: ${reason}`;
  }
}
