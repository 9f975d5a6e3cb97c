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

/**
 * Variables of the coordinator's own environment that the projects' config names as Slipway's secrets (the GitHub
 * webhook secret `triggers.github.secret`, the single sign-on client secret `sso.clientSecret`, both `env:NAME`):
 * the coordinator reads them, its instances must not inherit them with the rest of its environment (PATH, HOME, …).
 */
export function coordinatorEnvNames(configs: readonly ProjectConfig[]): Set<string> {
  const names = new Set<string>();
  for (const c of configs)
    for (const ref of [c.triggers?.github?.secret, c.sso?.clientSecret])
      if (ref?.startsWith('env:')) names.add(ref.slice('env:'.length));
  return names;
}
