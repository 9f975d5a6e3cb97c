import type { ProjectConfig } from '../config/model.js';
import { notificationSecretNames } from '../notify/secret-names.js';

/**
 * The secrets of an environment that Slipway itself uses — the notification services' URLs, tokens and signing keys,
 * the SSH key of its hosts, the upstream Sentry DSN and release token — by name. They are withheld from the
 * environment's instances: an application (or an SDK reporting its environment) must not hold the on-call webhook or
 * the key that signs Slipway's messages. Every other secret of the environment is the application's.
 */
export function coordinatorSecretNames(config: ProjectConfig, environment: string): Set<string> {
  const forward = config.errors.forward;
  const sshKey = config.environments.find((e) => e.name === environment)?.sshKeySecret;
  return new Set([
    ...notificationSecretNames(config.notifications),
    ...(sshKey ? [sshKey] : []),
    ...(forward?.dsnSecret ? [forward.dsnSecret] : []),
    ...(forward?.releases ? [forward.releases.tokenSecret] : []),
  ]);
}
