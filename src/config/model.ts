/**
 * The normalized config the rest of Slipway sees: defaults filled in, durations in
 * milliseconds, paths absolute, environments in promotion order. Built by normalize.ts;
 * nothing outside src/config/ reads YAML or raw objects.
 */

/** A whole slipway.yaml. */
export interface ProjectConfig {
  project: string;
  /** Absolute path of the file this came from; absent when validated from an object (the API). */
  configPath?: string;
  /** Absolute directory relative paths in the config are resolved against (the file's directory). */
  baseDir: string;
  /** Absolute directory for the store, proxy state and instance logs. */
  dataDir: string;
  /** Where the coordinator API listens (the CLI talks to it). */
  coordinator: ListenAddress;
  /**
   * The data plane: the built-in proxy (its admin API, worker processes) or HAProxy (the executable; its state and
   * master CLI socket live in `<dataDir>/haproxy/`).
   */
  proxy: {
    kind: 'builtin' | 'haproxy';
    admin: string;
    host: string;
    port: number;
    workers: number | 'auto';
    binary: string;
  };
  /** The Sentry-protocol error ingest: envelopes per second and at once per DSN key; events kept per project. */
  errors: {
    rateLimit: { perSecond: number; burst: number };
    retention: { maxEventsPerProject: number; maxAgeMs: number };
    /** Worker threads that read request bodies; absent: the cores but one (at most 4); 0: on the event loop. */
    threads?: number;
    /**
     * The team's own Sentry: the secret (per environment) holding the DSN envelopes are relayed to; the release API
     * where releases and deploys are created.
     */
    forward?: { dsnSecret?: string; releases?: SentryReleasesConfig };
  };
  /** Where instances run: the local runtime (the loopback ports they may use, when constrained), or Kubernetes. */
  runtime: {
    ports?: { from: number; to: number };
    kubernetes?: KubernetesRuntimeConfig;
    /** The Docker Engine for `container:` environments and services (socket absent: DOCKER_HOST, else Docker's). */
    docker?: { socket?: string; publish: string };
  };
  /** In promotion order: a release moves from the first towards the last. */
  environments: EnvironmentConfig[];
  services: ServiceConfig[];
  /** Migrations shipped with releases of `database.service`; absent when the project has none. */
  database?: DatabaseConfig;
  /** Deployments started by outside events (GitHub pushes); absent when the project has none. */
  triggers?: TriggersConfig;
  /** Single sign-on with an OpenID Connect provider; absent when people use tokens only. */
  sso?: SsoConfig;
  /** Rules for login sessions; absent = the defaults (TOTP required on production, src/access/mfa.ts). */
  access?: { mfaRequired: string[] };
  /** Messages about deployments, alerts and incidents (src/notify/); absent when the project sends none. */
  notifications?: NotificationsConfig;
}

/** A freeze: recurring (cron start + duration in a time zone) or one-off (from/until, ms since epoch). */
export type FreezeWindow =
  | { kind: 'recurring'; cron: string; durationMs: number; timezone: string; message: string }
  | { kind: 'once'; from: number; until: number; message: string };

/** The application database and its migrations. */
export interface DatabaseConfig {
  /** `env:NAME` or a postgres:// URL; resolve with `databaseUrlFor` (database.ts), never print it. */
  url: string;
  /** Absolute directory; may contain {version}. */
  migrations: string;
  service: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockRetries: number;
  revertOnRollback: boolean;
  /** Before migrations run (false: never). Absent in configs stored by older versions: the defaults. */
  backups?: DatabaseBackups | false;
  /** SQL returning one boolean each, run read-only after migrations; absent in older stored configs. */
  integrityChecks?: string[];
}

/** `database.backups`: where, how many and what. */
export interface DatabaseBackups {
  /** Absolute. */
  dir: string;
  keep: number;
  scope: 'database' | 'touched';
}

/** A `host:port` and its parts (IPv6 hosts without brackets). */
export interface ListenAddress {
  listen: string;
  host: string;
  port: number;
}

/** An environment: a name and the address its traffic is served on. */
export interface EnvironmentConfig extends ListenAddress {
  name: string;
  /** Environments a release must have succeeded in first (promotion rules). */
  requires: string[];
  /** Minimum time since it succeeded there. */
  soakMs: number;
  /** When deployments are refused. */
  freezes: FreezeWindow[];
  /** When deployments may start (empty: any time); absent in configs stored by older versions. */
  windows?: DeploymentWindow[];
  /** The post-deploy watch: how long a new release is judged after its rollout (0: not watched), and what a regression
   * does. */
  watch: {
    forMs: number;
    onRegression: 'rollback' | 'alert';
    /** Latency is judged only from this long after the watch begins (absent in configs stored before it existed: 0). */
    warmUpMs?: number;
  };
  /** This environment's database URL reference (`env:NAME` or postgres://), when it overrides database.url. */
  databaseUrl?: string;
  /** Checks deployments here must pass (absent: none). */
  gates?: GatesConfig;
  /** Sign-off deployments here wait for (absent: none, also in configs stored by older versions). */
  approvals?: ApprovalPolicy;
  /** Alert rules here (absent in configs stored by older versions: the seed's rules, every 10s). */
  alerts?: EnvironmentAlerts;
  /** SSH hosts (`ssh://user@host[:port][/dir]`) instances run on; absent: this machine (the local runtime). */
  hosts?: string[];
  /** The secret holding the private key for the hosts; absent: the SSH agent (SSH_AUTH_SOCK). */
  sshKeySecret?: string;
  /** Instances run in containers (src/runtimes/container); absent: as processes here (or on `hosts`). */
  container?: ContainerConfig;
}

/** `container:` of an environment or a service in it. */
export interface ContainerConfig {
  /** Memory limit of each instance's container; absent: none. */
  memoryBytes?: number;
}

/** `alerts:` of an environment: the seed's rules are on; each may be tuned or turned off. */
export interface EnvironmentAlerts {
  enabled: boolean;
  evaluateEveryMs: number;
  /** A firing alert is announced again (another `alert.firing` event) this often. */
  repeatIntervalMs: number;
  /** `host:port` endpoints whose TLS certificate is checked for expiry. */
  tls: string[];
  /** SDK error events that are authentication failures (exception types, or `Type: message start`); absent: default. */
  authErrors?: string[];
  /** Keyed by rule name (src/observe/alerts/rules.ts). */
  rules: Record<string, AlertRuleOverride>;
}

/** Changes to one of the seed's rules. */
export interface AlertRuleOverride {
  enabled?: boolean;
  /** A factor of the baseline, or an absolute number, as the rule defines (0.8 = 80 %). */
  threshold?: number;
  forMs?: number;
  keepFiringForMs?: number;
  /** The window the rule counts over (only the rules that have one). */
  windowMs?: number;
}

/** `resources:` of a service. */
export interface ServiceResources {
  /** Memory limit per instance in bytes: what the memory alert compares resident memory with. */
  memoryBytes?: number;
  /** Absolute paths (may hold {version}) whose disk use is watched. */
  volumes: string[];
}

/**
 * An environment's approval rule. Approvers are API tokens (there are no user accounts yet):
 * `alice` matches a token named alice, `role:approver` any token holding that role here.
 */
export interface ApprovalPolicy {
  /** Distinct approvers needed. */
  required: number;
  /** Token names and `role:ROLE` entries, 1..6. */
  approvers: string[];
  /** May the person deploying (or who first deployed) the release approve it? */
  selfApproval: boolean;
  expiresAfterMs: number;
}

/** A command run before a deployment; exit status 0 passes. */
export interface CommandGateConfig {
  name: string;
  command: string;
  /** May hold {version}. */
  args: string[];
  /** Absolute; may hold {version}. */
  cwd: string;
  timeoutMs: number;
  env: Record<string, string>;
}

/** An HTTP request to the environment address once all traffic is on the new release. */
export interface SmokeCheckConfig {
  name: string;
  path: string;
  method: 'GET' | 'HEAD' | 'POST';
  expect: { status: number; bodyContains?: string };
  timeoutMs: number;
}

/** An environment's deployment gates. */
export interface GatesConfig {
  before: CommandGateConfig[];
  /** Line coverage read from a report; `file` is absolute and may hold {version}; `minimumPct` in percent (85 = 85 %).
   * */
  coverage?: { file: string; minimumPct: number };
  after: SmokeCheckConfig[];
}

/** Which requests reach a service: the longest matching pathPrefix wins; host, when set, must match. */
export interface RouteConfig {
  pathPrefix: string;
  host?: string;
}

/** Health checks of an instance; a superset of the runtime's HealthCheck. */
export interface HealthConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** How long a new instance may take to become healthy before the deployment fails. */
  startTimeoutMs: number;
}

/** Start the new set beside the old one, switch all traffic at once, keep the old set warm for rollback. */
export interface BlueGreenStrategy {
  type: 'blue-green';
  keepOldForMs: number;
}

/** Replace instances a few at a time. */
export interface RollingStrategy {
  type: 'rolling';
  /** Extra instances allowed above the desired count while rolling (percentages round up). */
  maxSurge: InstanceAmount;
  /** Instances that may be missing below the desired count while rolling (percentages round down). */
  maxUnavailable: InstanceAmount;
}

/** A number of instances, or a percentage of the desired count. */
export type InstanceAmount = { unit: 'instances'; value: number } | { unit: 'percent'; value: number };

/** One canary step. */
export type CanaryStep =
  | { kind: 'setWeight'; weight: number }
  /** `forMs` undefined: until `slipway promote` / `slipway resume`. */
  | { kind: 'pause'; forMs?: number }
  | { kind: 'analyze'; forMs: number };

/** An HTTP probe sent to the candidate. */
export interface ProbeConfig {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  expect: { status: number; bodyContains?: string; json?: Record<string, unknown>; release?: boolean };
}

/** How the canary is judged. Shares are fractions (0.01 = 1 %). */
export interface AnalysisConfig {
  intervalMs: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  onInconclusive: 'pause' | 'rollback';
  triggers: {
    errorRateVsBaseline: number;
    p95VsBaseline: number;
    maxErrorRate: number;
    maxP95Ms: number;
    unavailableForMs: number;
  };
  statistics: {
    confidence: number;
    allowedLatencyIncrease: number;
    allowedErrorRateIncrease: number;
    minSamples: number;
    passScore: number;
    marginalScore: number;
  };
  prometheus?: { address: string; metrics: { name: string; query: string; higherIsWorse: boolean }[] };
  probes?: ProbeConfig[];
}

/** Send a small, growing share of traffic to the candidate; a judge decides. */
export interface CanaryStrategy {
  type: 'canary';
  steps: CanaryStep[];
  /** Candidate instances before the final shift; undefined: in proportion to the weight, at least 1. */
  scale?: number;
  sticky: boolean;
  analysis: AnalysisConfig;
}

/** How a deployment moves traffic; discriminated on `type` so further strategies slot in. */
export type StrategyConfig = BlueGreenStrategy | RollingStrategy | CanaryStrategy;

/** The strategy names slipway.yaml and `--strategy` accept. */
export type StrategyType = StrategyConfig['type'];

/** One environment's changes to a service; each field replaces, env and health merge. */
export interface EnvironmentOverride {
  instances?: number;
  /** This service's SSH hosts in the environment (replace the environment's). */
  hosts?: string[];
  /** This service runs in containers here (replaces the environment's `container`). */
  container?: ContainerConfig;
  strategy?: StrategyConfig;
  env?: Record<string, string>;
  health?: Partial<HealthConfig>;
  drainTimeoutMs?: number;
}

/** One release version's changes to a service; args replace, env merges, cwd is absolute (may hold {version}). */
export interface ReleaseOverride {
  command?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** A service as declared, before an environment is chosen. */
export interface ServiceConfig {
  name: string;
  command: string;
  /** May hold {port} (filled by the runtime) and {version}. */
  args: string[];
  /** Absolute; may hold {version}, e.g. /app/releases/{version}. */
  cwd: string;
  /** Values may hold {version}. */
  env: Record<string, string>;
  instances: number;
  route: RouteConfig;
  health: HealthConfig;
  /** In-flight requests get this long to finish; then SIGTERM → this long → SIGKILL. */
  drainTimeoutMs: number;
  strategy: StrategyConfig;
  /** Services that must be live first when the whole release ships; absent: the default order (rollouts/order.ts). */
  dependsOn?: string[];
  /**
   * Present when the service is a frontend build served by Slipway's static file server; command,
   * args, cwd and health.path then run and probe that server (normalize-static.ts).
   */
  static?: StaticSiteConfig;
  /** Limits and volumes of each instance (absent: none declared). */
  resources?: ServiceResources;
  /** Keyed by environment name; every key is a declared environment. */
  environments: Record<string, EnvironmentOverride>;
  /** Keyed by release version. */
  releases: Record<string, ReleaseOverride>;
}

/** `static:` — a frontend build served by Slipway's static file server. */
export interface StaticSiteConfig {
  /** The build directory (absolute); may hold {version}. */
  dir: string;
  /** Earlier releases whose files stay served (skew protection), 0..20. */
  keep: number;
  /** Extension-less paths that name no file get index.html. */
  spa: boolean;
  /** Bundle budget checked from the build's manifest; absent: none. */
  budget?: BundleBudgetConfig;
}

/** Gzip size limits of a build's entry chunks (with their static imports), read from its manifest. */
export interface BundleBudgetConfig {
  /** The build manifest (absolute; may hold {version}), e.g. <dir>/.vite/manifest.json. */
  manifest: string;
  /** All entries together, in bytes. */
  totalBytes?: number;
  /** Each entry, in bytes. */
  perEntryBytes?: number;
  /** Largest growth against the previous release as a fraction (0.1 = +10 %). */
  maxGrowth?: number;
}

/** A service with one environment's overrides applied (see serviceIn). */
export interface ResolvedService extends Omit<ServiceConfig, 'environments'> {
  project: string;
  environment: string;
  /** The service's own env, in every environment (`env` is it with this environment's merged over). */
  serviceEnv: Record<string, string>;
  /** This environment's env for the service (`services.X.environments.E.env`): not part of a release. */
  environmentEnv: Record<string, string>;
}

/** What to run for one release of a service: release overrides applied, {version} filled in, {port} left for the
 * runtime. */
export interface ReleaseSpec {
  service: string;
  version: string;
  command: string;
  args: string[];
  /** Absolute. */
  cwd: string;
  env: Record<string, string>;
  /** What --set added to env when the release was made: deploying the version again without --set reuses them. */
  sets?: Record<string, string>;
}

/** Deployments started by outside events, per provider. */
export interface TriggersConfig {
  github?: GithubTriggers;
}

/** Pushes delivered to POST /api/v1/webhooks/github. */
export interface GithubTriggers {
  /** `env:NAME`: the webhook secret is read from environment variable NAME when a delivery arrives; never resolve it
   * into the config. */
  secret: string;
  /** Tried in order; the first whose branch matches decides. */
  rules: TriggerRule[];
}

/** Where a push to a branch deploys. */
export interface TriggerRule {
  /** Branch name or glob (* within a segment, ** across segments). */
  branch: string;
  environment: string;
  /** Absent: every service. */
  services?: string[];
  /** How the release version is made from the commit sha. */
  version: '{sha7}' | '{sha}';
}

/** `sso:` — log in with an OpenID Connect provider; its group claims map to grants. */
export interface SsoConfig {
  /** https:// (or http:// on loopback) issuer URL, as the provider's discovery document names it. */
  issuer: string;
  clientId: string;
  /** `env:NAME`: read from environment variable NAME at each login; never resolve it into the config. */
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
  groupsClaim: string;
  /** Provider group → grants (same shape as src/access/types.ts Grant). */
  groups: Record<string, SsoGrant[]>;
}

/** A role on some environments ('*' = every environment and project-wide). */
export interface SsoGrant {
  role: 'viewer' | 'deployer' | 'approver' | 'admin';
  environments: string[] | '*';
}

/** `notifications:` — notification services, templates and subscriptions (see notifications-schema.ts). */
export interface NotificationsConfig {
  /** Base URL of deployment links; absent: the coordinator address. */
  link?: string;
  timeoutMs: number;
  /** Sends in flight per notification service. */
  concurrency: number;
  retry: { attempts: number; backoffMs: number; maxBackoffMs: number };
  freezeNoticeMs: number;
  /** By name; secret fields hold the secret's NAME (the `secret:` prefix removed), never a value. */
  services: Record<string, NotificationServiceConfig>;
  templates: Record<string, { title: string; body: string }>;
  subscriptions: NotificationSubscription[];
}

/** Sentry's release API: where releases and deploys of each deployment are created (src/observe/errors/). */
export interface SentryReleasesConfig {
  /** Sentry's base URL, no trailing slash (https://sentry.io). */
  url: string;
  organization: string;
  /** Sentry project slugs (at least one). */
  projects: string[];
  /** The secret (per environment) holding the auth token: its NAME, the `secret:` prefix removed. */
  tokenSecret: string;
}

/** Where messages go; every URL and token is the name of a secret of the environment. */
export type NotificationServiceConfig =
  | { type: 'slack'; url: string }
  | { type: 'teams'; url: string }
  | { type: 'email'; url: string; from: string; to: string[] }
  | { type: 'webhook'; url: string; secret: string }
  | { type: 'pagerduty'; routingKey: string; url?: string }
  | JiraServiceConfig
  | GithubServiceConfig;

/** Jira Cloud: email and token are secret names; the rest are plain settings. */
export interface JiraServiceConfig {
  type: 'jira';
  site: string;
  email: string;
  token: string;
  project: string;
  issueType: string;
  transitions: { acknowledged: string; resolved: string; failed?: string };
  /** Change tracking: one issue per deployment in these environments. */
  changes?: { environments: string[]; issueType: string };
}

/** GitHub deployments and statuses of releases pushed to `repository`; token is a secret name. */
export interface GithubServiceConfig {
  type: 'github';
  token: string;
  repository: string;
  api: string;
  environmentUrls: Record<string, string>;
}

/** Which triggers, for which environments and services (absent: all), go to which notification services. */
export interface NotificationSubscription {
  on: string[];
  to: string[];
  environments?: string[];
  services?: string[];
  template?: string;
}

/** `runtime.kubernetes`: instances as Deployments on a cluster (src/runtimes/kubernetes). */
export interface KubernetesRuntimeConfig {
  namespace: string;
  /** Absolute; absent: KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  context?: string;
  /** May hold {service} and {version}. */
  image: string;
  port: number;
  command: 'image' | 'service';
  envFrom: string[];
  pollMs: number;
}

/** A deployment window: on these days (0 = Sunday), from HH:MM until HH:MM local time in `timezone`. */
export interface DeploymentWindow {
  days: number[];
  from: string;
  to: string;
  timezone: string;
}
