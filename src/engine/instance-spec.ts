import type { DeploymentRecord } from '../model/deployment.js';
import type { InstanceSpec } from '../model/instance.js';
import type { ReleaseRecord } from '../store/repos/releases.js';

/**
 * The spec the runtime starts: the release's command with the deployment's health and drain settings.
 * Sentry SDKs read SENTRY_RELEASE and SENTRY_ENVIRONMENT (the release's env may set its own); SENTRY_DSN
 * carries a key, so it is added at each start by the composition root (src/app/), never stored in the spec.
 */
export function instanceSpecFor(
  instanceId: string,
  deployment: DeploymentRecord,
  release: ReleaseRecord,
): InstanceSpec {
  return {
    instanceId,
    project: deployment.project,
    service: deployment.service,
    environment: deployment.environment,
    release: release.version,
    command: release.spec.command,
    args: release.spec.args,
    cwd: release.spec.cwd,
    env: {
      SENTRY_RELEASE: release.version,
      SENTRY_ENVIRONMENT: deployment.environment,
      ...release.spec.env,
      ...deployment.settings.environmentEnv,
    },
    health: deployment.settings.health,
    drainTimeoutMs: deployment.settings.drainTimeoutMs,
  };
}
