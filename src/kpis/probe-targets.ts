import type { EnvironmentConfig, ProjectConfig } from '../config/model.js';

/** Where a synthetic request goes: the environment's address, as users reach the service through the proxy. */
export interface ProbeTarget {
  project: string;
  environment: string;
  service: string;
  url: string;
  /** Sent as Host for services routed by host name. */
  hostHeader?: string;
}

/**
 * One target per service live in an environment: its health path when the service's route takes it (the proxy
 * passes paths through unchanged), its route prefix otherwise.
 *
 * @example probeTargets(config, [{ environment: 'production', service: 'api' }])
 */
export function probeTargets(
  config: ProjectConfig,
  live: readonly { environment: string; service: string }[],
): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const { environment, service } of live) {
    const env = config.environments.find((e) => e.name === environment);
    const svc = config.services.find((s) => s.name === service);
    if (!env || !svc) continue;
    const health = svc.environments[environment]?.health?.path ?? svc.health.path;
    const path = routeTakes(health, svc.route.pathPrefix) ? health : svc.route.pathPrefix;
    targets.push({
      project: config.project,
      environment,
      service,
      url: `http://${dialable(env)}${path}`,
      ...(svc.route.host ? { hostHeader: svc.route.host } : {}),
    });
  }
  return targets;
}

/** Prefixes match whole path segments, as in the proxy's route table. */
function routeTakes(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path[prefix.length] === '/';
}

/** A wildcard listen host means this machine. */
function dialable(environment: EnvironmentConfig): string {
  if (environment.host === '0.0.0.0') return `127.0.0.1:${environment.port}`;
  if (environment.host === '::') return `[::1]:${environment.port}`;
  return environment.listen;
}
