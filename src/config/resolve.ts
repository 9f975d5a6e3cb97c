/** From declared config to what runs: a service in one environment, then one release of it. */
import path from 'node:path';
import { ConfigError } from './errors.js';
import { versionMessage, versionPattern } from './fields.js';
import type { ProjectConfig, ReleaseSpec, ResolvedService } from './model.js';
import { hint } from './suggest.js';

/**
 * The service with `environment`'s overrides applied: instances, strategy and drainTimeout
 * replace; env and health merge over the service's. Throws ConfigError (not_found) naming the
 * known services or environments when either is unknown.
 */
export function serviceIn(config: ProjectConfig, service: string, environment: string): ResolvedService {
  const declared = config.services.find((s) => s.name === service);
  if (!declared) {
    const names = config.services.map((s) => s.name);
    throw notFound('service', `unknown service "${service}" in ${config.project}${hint(service, names, 'a service')}`);
  }
  if (!config.environments.some((e) => e.name === environment)) {
    const names = config.environments.map((e) => e.name);
    throw notFound(
      'environment',
      `unknown environment "${environment}" in ${config.project}${hint(environment, names, 'an environment')}`,
    );
  }
  const { environments, ...base } = declared;
  const override = environments[environment] ?? {};
  return {
    ...base,
    project: config.project,
    environment,
    instances: override.instances ?? base.instances,
    strategy: override.strategy ?? base.strategy,
    drainTimeoutMs: override.drainTimeoutMs ?? base.drainTimeoutMs,
    env: { ...base.env, ...override.env },
    serviceEnv: base.env,
    environmentEnv: override.env ?? {},
    health: { ...base.health, ...override.health },
  };
}

function notFound(key: string, message: string): ConfigError {
  return new ConfigError([{ path: key, message }], 'not_found', message);
}

/** Throw ConfigError unless `version` is a valid release version (it becomes part of paths and ids). */
export function checkVersion(version: string): void {
  if (version.length === 0 || version.length > 64 || !versionPattern.test(version)) {
    throw new ConfigError([
      { path: 'version', message: `invalid version ${JSON.stringify(version)}: ${versionMessage}` },
    ]);
  }
}

/**
 * What to run for `version` of a resolved service: the release's overrides applied (command, args
 * and cwd replace, env merges), {version} filled into args, cwd and env values, then `sets`
 * (from --set, taken literally) merged last into env. {port} stays for the runtime to fill.
 */
export function resolveRelease(
  service: ResolvedService,
  version: string,
  sets: Record<string, string> = {},
): ReleaseSpec {
  checkVersion(version);
  const release = service.releases[version] ?? {};
  const fill = (text: string) => text.split('{version}').join(version);
  // The environment's own env is not part of the release: the same version runs in staging and production (the
  // deployment adds it, environmentEnvFor).
  const env = Object.fromEntries(
    Object.entries({ ...service.serviceEnv, ...release.env }).map(([key, value]) => [key, fill(value)]),
  );
  return {
    service: service.name,
    version,
    command: release.command ?? service.command,
    args: (release.args ?? service.args).map(fill),
    // cwd was made absolute at load time; resolving again normalizes after the version is filled in.
    cwd: path.resolve(fill(release.cwd ?? service.cwd)),
    env: { ...env, ...sets },
    ...(Object.keys(sets).length > 0 ? { sets } : {}),
  };
}

/**
 * The environment's env a deployment of `spec` adds to the release's ({version} filled in): its keys except those the
 * release sets itself (per-version env, --set), which win as they always did.
 */
export function environmentEnvFor(service: ResolvedService, spec: ReleaseSpec): Record<string, string> {
  const own = new Set([...Object.keys(service.releases[spec.version]?.env ?? {}), ...Object.keys(spec.sets ?? {})]);
  return Object.fromEntries(
    Object.entries(service.environmentEnv)
      .filter(([key]) => !own.has(key))
      .map(([key, value]) => [key, value.split('{version}').join(spec.version)]),
  );
}
