/** Parsed slipway.yaml (zod output) → the model: durations in ms, absolute paths, ordered environments. */
import { weekdays } from './windows-schema.js';
import path from 'node:path';
import { parseDuration } from '../shared/duration.js';
import { splitListen } from './fields.js';
import type {
  ContainerConfig,
  DatabaseConfig,
  FreezeWindow,
  EnvironmentOverride,
  GithubTriggers,
  HealthConfig,
  InstanceAmount,
  ProjectConfig,
  ReleaseOverride,
  ServiceConfig,
  SsoConfig,
  SsoGrant,
  StrategyConfig,
} from './model.js';
import type { ParsedConfig, ParsedEnvironmentOverride, ParsedStrategy } from './schema.js';
import { normalizeCanary } from './normalize-canary.js';
import { normalizeGates } from './normalize-gates.js';
import { normalizeAlerts, normalizeResources } from './normalize-alerts.js';
import { normalizeStatic, staticHealthPath, staticServerRun } from './normalize-static.js';
import { normalizeNotifications } from './normalize-notifications.js';
import { normalizeKubernetes } from './normalize-kubernetes.js';
import { parseMemory } from './memory-size.js';

type Parsed<K extends keyof ParsedConfig['services'][string]> = ParsedConfig['services'][string][K];

/** Build the model from validated input; `configPath` is the file it came from, when there is one. */
export function normalizeConfig(parsed: ParsedConfig, baseDir: string, configPath?: string): ProjectConfig {
  const base = path.resolve(baseDir);
  const coordinator = splitListen(parsed.coordinator.listen);
  const admin = splitListen(parsed.proxy.admin);
  return {
    project: parsed.project,
    ...(configPath === undefined ? {} : { configPath: path.resolve(configPath) }),
    baseDir: base,
    dataDir: path.resolve(base, parsed.dataDir),
    coordinator: { listen: parsed.coordinator.listen, ...coordinator },
    proxy: {
      kind: parsed.proxy.kind,
      admin: parsed.proxy.admin,
      ...admin,
      workers: parsed.proxy.workers,
      binary: parsed.proxy.binary ?? '/usr/sbin/haproxy',
    },
    errors: {
      rateLimit: parsed.errors.rateLimit,
      retention: {
        maxEventsPerProject: parsed.errors.retention.maxEvents,
        maxAgeMs: ms(parsed.errors.retention.maxAge),
      },
      ...(parsed.errors.threads !== undefined ? { threads: parsed.errors.threads } : {}),
      ...(parsed.errors.forward ? { forward: normalizeForward(parsed.errors.forward) } : {}),
    },
    runtime: {
      ...(parsed.runtime.ports ? { ports: parsed.runtime.ports } : {}),
      ...(parsed.runtime.kubernetes ? { kubernetes: normalizeKubernetes(parsed.runtime.kubernetes, base) } : {}),
      ...(parsed.runtime.docker ? { docker: parsed.runtime.docker } : {}),
    },
    environments: Object.entries(parsed.environments).map(([name, environment]) => ({
      name,
      listen: environment.listen,
      ...splitListen(environment.listen),
      requires: environment.requires,
      soakMs: ms(environment.soak),
      watch: {
        forMs: ms(environment.watch.for),
        onRegression: environment.watch.onRegression,
        warmUpMs: ms(environment.watch.warmUp),
      },
      alerts: normalizeAlerts(environment.alerts),
      windows: environment.windows.map((w) => ({
        days: w.days.map((d) => weekdays.indexOf(d)).sort(),
        from: w.from,
        to: w.to,
        timezone: w.timezone,
      })),
      freezes: environment.freezes.map(
        (f): FreezeWindow =>
          f.cron !== undefined
            ? {
                kind: 'recurring',
                cron: f.cron,
                durationMs: ms(f.duration ?? 0),
                timezone: f.timezone,
                message: f.message,
              }
            : { kind: 'once', from: Date.parse(f.from!), until: Date.parse(f.until!), message: f.message },
      ),
      ...(environment.hosts ? { hosts: environment.hosts } : {}),
      ...(environment.container ? { container: normalizeContainer(environment.container) } : {}),
      ...(environment.hosts && environment.sshKey !== 'agent'
        ? { sshKeySecret: environment.sshKey.slice('secret:'.length) }
        : {}),
      ...(environment.database ? { databaseUrl: environment.database.url } : {}),
      ...(environment.gates ? { gates: normalizeGates(environment.gates, base, ms) } : {}),
      ...(environment.approvals
        ? {
            approvals: {
              required: environment.approvals.required,
              approvers: environment.approvals.approvers,
              // Development is where people try their own work: approving it themselves is the norm there.
              selfApproval: environment.approvals.selfApproval ?? name === 'development',
              expiresAfterMs: ms(environment.approvals.expiresAfter),
            },
          }
        : {}),
    })),
    services: Object.entries(parsed.services).map(([name, service]) =>
      normalizeService(name, service, base, { project: parsed.project, dataDir: path.resolve(base, parsed.dataDir) }),
    ),
    ...(parsed.database
      ? {
          database: normalizeDatabase(
            parsed.database,
            Object.keys(parsed.services),
            base,
            path.resolve(base, parsed.dataDir),
          ),
        }
      : {}),
    ...(parsed.triggers?.github ? { triggers: { github: normalizeGithubTriggers(parsed.triggers.github) } } : {}),
    ...(parsed.sso ? { sso: normalizeSso(parsed.sso) } : {}),
    ...(parsed.access ? { access: { mfaRequired: parsed.access.mfaRequired } } : {}),
    ...(parsed.notifications ? { notifications: normalizeNotifications(parsed.notifications) } : {}),
  };
}

function normalizeForward(
  forward: NonNullable<ParsedConfig['errors']['forward']>,
): NonNullable<ProjectConfig['errors']['forward']> {
  const r = forward.releases;
  return {
    ...(forward.dsnSecret ? { dsnSecret: forward.dsnSecret } : {}),
    ...(r
      ? {
          releases: {
            url: r.url.replace(/\/+$/, ''),
            organization: r.organization,
            projects: r.projects,
            tokenSecret: r.token.slice('secret:'.length),
          },
        }
      : {}),
  };
}

function normalizeDatabase(
  database: NonNullable<ParsedConfig['database']>,
  services: string[],
  base: string,
  dataDir: string,
): DatabaseConfig {
  return {
    url: database.url,
    migrations: path.resolve(base, database.migrations),
    // checks.ts reports a missing service when there are several, so the first is only ever the only one.
    service: database.service ?? services[0]!,
    lockTimeoutMs: ms(database.lockTimeout),
    statementTimeoutMs: ms(database.statementTimeout),
    lockRetries: database.lockRetries,
    revertOnRollback: database.revertOnRollback,
    backups:
      database.backups === false
        ? false
        : {
            dir: database.backups.dir ? path.resolve(base, database.backups.dir) : path.join(dataDir, 'backups'),
            keep: database.backups.keep,
            scope: database.backups.scope,
          },
    integrityChecks: database.integrityChecks,
  };
}

/** Grant texts were checked against grantTextPattern by the schema, so splitting cannot fail here. */
function normalizeSso(sso: NonNullable<ParsedConfig['sso']>): SsoConfig {
  const grant = (text: string): SsoGrant => {
    const [role, environments] = text.split(':') as [SsoGrant['role'], string];
    return { role, environments: environments === '*' ? '*' : environments.split(',') };
  };
  return {
    issuer: sso.issuer,
    clientId: sso.clientId,
    clientSecret: sso.clientSecret,
    redirectUri: sso.redirectUri,
    scopes: sso.scopes,
    groupsClaim: sso.groupsClaim,
    groups: Object.fromEntries(Object.entries(sso.groups).map(([group, grants]) => [group, grants.map(grant)])),
  };
}

function normalizeGithubTriggers(github: NonNullable<NonNullable<ParsedConfig['triggers']>['github']>): GithubTriggers {
  return {
    secret: github.secret,
    rules: github.rules.map((r) => ({
      branch: r.branch,
      environment: r.environment,
      ...(r.services ? { services: r.services } : {}),
      version: r.version,
    })),
  };
}

function normalizeService(
  name: string,
  service: ParsedConfig['services'][string],
  base: string,
  project: { project: string; dataDir: string },
): ServiceConfig {
  const route = service.route.host === undefined ? { pathPrefix: service.route.pathPrefix } : { ...service.route };
  const site = service.static && normalizeStatic(service.static, base);
  // checks.ts refuses a service with neither command nor static, so one of the two is here.
  const run = site
    ? staticServerRun(site, { ...project, service: name, base, pathPrefix: route.pathPrefix })
    : { command: service.command!, args: service.args.map(String), cwd: path.resolve(base, service.cwd) };
  const health = normalizeHealth(service.health) as HealthConfig;
  return {
    name,
    ...run,
    env: normalizeEnv(service.env),
    instances: service.instances,
    route,
    // The full block has every field (the schema fills defaults), so nothing is missing here.
    health: site ? { ...health, path: staticHealthPath } : health,
    drainTimeoutMs: ms(service.drainTimeout),
    strategy: normalizeStrategy(service.strategy),
    ...(service.dependsOn ? { dependsOn: [...new Set(service.dependsOn)] } : {}),
    ...(site ? { static: site } : {}),
    ...(service.resources ? { resources: normalizeResources(service.resources, base) } : {}),
    environments: mapValues(service.environments, normalizeEnvironmentOverride),
    releases: mapValues(service.releases, (release) => normalizeRelease(release, base)),
  };
}

function normalizeEnvironmentOverride(override: ParsedEnvironmentOverride): EnvironmentOverride {
  return definedOnly({
    instances: override.instances,
    strategy: override.strategy && normalizeStrategy(override.strategy),
    env: override.env && normalizeEnv(override.env),
    health: override.health && normalizeHealth(override.health),
    drainTimeoutMs: override.drainTimeout === undefined ? undefined : ms(override.drainTimeout),
    hosts: override.hosts,
    container: override.container && normalizeContainer(override.container),
  });
}

function normalizeContainer(container: { memory?: string | number }): ContainerConfig {
  const memoryBytes = container.memory === undefined ? undefined : parseMemory(container.memory);
  return memoryBytes === undefined ? {} : { memoryBytes };
}

function normalizeRelease(release: Parsed<'releases'>[string], base: string): ReleaseOverride {
  return definedOnly({
    command: release.command,
    args: release.args?.map(String),
    cwd: release.cwd === undefined ? undefined : path.resolve(base, release.cwd),
    env: release.env && normalizeEnv(release.env),
  });
}

/** Works for the full health block and for partial overrides: absent fields stay absent. */
function normalizeHealth(health: Partial<Parsed<'health'>>): Partial<HealthConfig> {
  return definedOnly({
    path: health.path,
    intervalMs: health.interval === undefined ? undefined : ms(health.interval),
    timeoutMs: health.timeout === undefined ? undefined : ms(health.timeout),
    healthyThreshold: health.healthyThreshold,
    unhealthyThreshold: health.unhealthyThreshold,
    startTimeoutMs: health.startTimeout === undefined ? undefined : ms(health.startTimeout),
  });
}

/** Normalize a parsed strategy block. */
export function normalizeStrategy(strategy: ParsedStrategy): StrategyConfig {
  switch (strategy.type) {
    case 'blue-green':
      return { type: 'blue-green', keepOldForMs: ms(strategy.keepOldFor) };
    case 'rolling':
      return { type: 'rolling', maxSurge: amount(strategy.maxSurge), maxUnavailable: amount(strategy.maxUnavailable) };
    case 'canary':
      return normalizeCanary(strategy, ms);
  }
}

function amount(value: number | string): InstanceAmount {
  return typeof value === 'number'
    ? { unit: 'instances', value }
    : { unit: 'percent', value: Number(value.slice(0, -1)) };
}

function normalizeEnv(env: Record<string, string | number | boolean>): Record<string, string> {
  return mapValues(env, String);
}

/** The schema already checked the format; a failure here is a bug, not bad input. */
function ms(duration: string | number): number {
  const value = parseDuration(duration);
  if (value === undefined)
    throw new Error(`normalize: unparsed duration ${JSON.stringify(duration)} passed validation`);
  return value;
}

function mapValues<A, B>(record: Record<string, A>, f: (value: A) => B): Record<string, B> {
  // Object.fromEntries defines properties, so a key like "__proto__" stays an ordinary key.
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

/** Drop undefined fields so overrides only carry what the user wrote. */
function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
