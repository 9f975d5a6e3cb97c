/** The slipway.yaml that `slipway init` writes: every option present, each with a one-line comment. */
import { ConfigError } from './errors.js';
import { namePattern } from './fields.js';

/** Where the schema of an installed package is, relative to the project (npm install slipway). */
export const installedSchema = 'node_modules/slipway/schema/slipway.schema.json';

/** The line that makes editors with the YAML language server validate and complete against the schema at `ref`. */
export function schemaComment(ref: string = installedSchema): string {
  return `# yaml-language-server: $schema=${ref}`;
}

/**
 * A starter slipway.yaml for `project`, pointing editors at the schema `schemaRef` (a path relative
 * to the file, or a URL); throws ConfigError when the name is not a valid project name.
 */
export function starterConfig(project: string, schemaRef: string = installedSchema): string {
  if (!namePattern.test(project) || project.length > 63) {
    const message =
      `invalid project name ${JSON.stringify(project)}: expected lowercase letters, digits and ` +
      `dashes, starting with a letter or digit (like harbor-quote)`;
    throw new ConfigError([{ path: 'project', message }]);
  }
  return `${schemaComment(schemaRef)}
# Slipway project config. Durations: 250ms, 30s, 2m, 1m30s. Relative paths are relative to this file.

${`project: ${project}`.padEnd(37)} # lowercase letters, digits and dashes
dataDir: .slipway                     # store, proxy state and instance logs
coordinator: { listen: 127.0.0.1:7420 } # the API the slipway CLI talks to
proxy: { admin: 127.0.0.1:7421, workers: auto } # admin API; worker processes (auto: cores−1, ≥ 1; 0: one process)
# proxy: { kind: haproxy, binary: /usr/sbin/haproxy } # …or HAProxy 2.6+ as the data plane (apt-get install haproxy)
# Error ingest for the Sentry SDKs (\`slipway dsn --env staging\` prints the DSN; instances get SENTRY_DSN):
errors:
  rateLimit: { perSecond: 1000, burst: 2000 }   # envelopes per DSN key; past it SDKs get 429 + Retry-After
  retention: { maxEvents: 100000, maxAge: 30d } # events kept per project; issues and their counts stay
  # threads: 1                                  # worker threads reading SDK bodies (default: cores but one; 0: none)
  # forward:                                    # your own Sentry too:
  #   dsnSecret: SENTRY_UPSTREAM_DSN            # relay accepted envelopes to it (DSN in that secret, per env)
  #   releases:                                 # create each release when it deploys, and its deploys
  #     organization: acme                      # Sentry organization slug (url: https://sentry.io by default)
  #     projects: [harbor-web]                  # the Sentry projects a release belongs to
  #     token: secret:SENTRY_AUTH_TOKEN         # auth token (project:releases) from each environment's secrets
runtime: {}                           # instances run here as detached processes, on any free loopback port, or:
# runtime: { ports: { from: 20000, to: 20999 } }  # only these ports (to match a firewall rule)
# runtime:                           # …or on Kubernetes: a Deployment per instance, a Service per release
#   kubernetes:
#     namespace: shop                 # must exist; Slipway makes Deployments and Services there
#     image: registry.example.com/{service}:{version}  # pushed before deploying: Slipway does not build images
#     kubeconfig: kube/prod.yaml      # relative to this file; absent: KUBECONFIG, ~/.kube/config, or in-cluster
#     context: production             # absent: the kubeconfig's current context
#     port: 8080                      # the container's port (its PORT) and its Service's
#     command: image                  # image: the image's entrypoint; service: the service's command and args
#     envFrom: [api-secrets]          # Kubernetes Secrets as environment (Slipway's secrets are not sent)
#     pollInterval: 2s                # how often pod status is read
# runtime: { docker: { socket: /var/run/docker.sock, publish: 127.0.0.1 } }  # the Docker Engine for container:
#                                   # (socket absent: DOCKER_HOST, else /var/run/docker.sock)

# Environments in promotion order; each serves its traffic on its own address.
environments:
  development: { listen: 127.0.0.1:8080 }
  staging: { listen: 127.0.0.1:8081 }
  production:
    listen: 127.0.0.1:8082
    # hosts: [ssh://deploy@10.0.0.5, ssh://deploy@10.0.0.6:2222/srv/slipway]  # run instances on SSH hosts (agentless):
    #                                 # releases shipped once per host, host keys pinned on first use; instances listen
    #                                 # on the host's address ($SLIPWAY_LISTEN_HOST); absent: on this machine
    # sshKey: agent                   # agent (SSH_AUTH_SOCK) or secret:NAME (slipway secrets set NAME --env production)
    # container: { memory: 256MiB }   # run instances in containers instead (Docker Engine API): an image per release
    #                                 # on this machine's node, ports published on runtime.docker.publish; memory limit
    requires: [staging]               # a release must have succeeded in staging first…
    soak: 0s                          # …and been live there this long (e.g. 30m)
    watch: { for: 5m, onRegression: rollback, warmUp: 30s }   # after a rollout, judge the new release against
                                      # the previous; latency only after warmUp, on what it served since then
    alerts:                           # alert rules for the live release (the seed's defaults are on; slipway alerts)
      enabled: true                   # false: no rules evaluated here
      evaluateEvery: 10s              # how often the rules look
      repeatInterval: 4h              # a firing alert is announced again this often
      tls: []                         # host:port endpoints whose certificate must not expire within 30 days
      # authErrors: [AuthenticationError, "HTTPException: 401"]  # SDK error events auth-failures counts (default:
                                      # a list of common auth exception types; [] counts none)
      rules:                          # tune or turn off a rule (threshold: factor of the baseline, or absolute)
        api-latency-p95: { threshold: 2, for: 30s, keepFiringFor: 2m }  # critical: p95 above 2x the baseline
        error-rate: { enabled: true } # warning: error rate above 1.5x the baseline
        # database-unreachable: {}    # critical: the database refuses connections or times out
        # auth-failures: {}           # critical: share of 401/403, or SDK auth error events, above 5x the baseline
        # instance-memory: {}         # warning: resident memory above 0.8 of resources.memory
        # disk-usage: {}              # warning: a volume of resources.volumes fuller than 0.85
        # tls-certificate-expiry: {}  # warning: a certificate of tls expires within 30 days
        # error-users-share: { threshold: 0.05, window: 1h }  # critical: SDK errors reached 5 % of the users
        # error-events: { threshold: 100, window: 5m }  # warning: more SDK error events than that in the window
        # error-new-issue: {}         # warning: an issue first seen in the live release
        # error-regressed-issue: {}   # warning: a resolved issue seen again in the live release
    freezes: []                       # deployments refused in these windows (--emergency --reason: admins only), e.g.
    # - { cron: "0 16 * * 5", duration: 64h, timezone: Europe/London, message: "weekend freeze" }
    # - { from: 2026-12-20T00:00:00Z, until: 2027-01-03T00:00:00Z, message: "holiday freeze" }
    # windows:                        # deployments start only inside these (outside: refused naming the next one,
    #   - days: [mon, tue, wed, thu, fri] # or scheduled: slipway deploy … --at next-window); default mon-fri
    #     from: "09:00"               # local time, HH:MM
    #     to: "16:00"                 # 24:00 for midnight
    #     timezone: Europe/Oslo       # IANA time zone (default UTC)
    # database: { url: env:PRODUCTION_DATABASE_URL }   # its own database (see database: below)
    # gates:                          # checks a deployment here must pass
    #   before:                       # run before any instance starts, without a shell; a failure fails the deployment
    #     - { name: unit-tests, command: npm, args: [test], cwd: ., timeout: 5m, env: { CI: "1" } }
    #   coverage: { file: coverage/coverage-summary.json, minimum: 85% }  # or lcov.info; line coverage
    #   after:                        # HTTP smoke checks here once all traffic is on the release; a failure rolls back
    #     - name: version
    #       path: /version
    #       expect: { status: 200, bodyContains: '"release"' }
    #       timeout: 5s
    # approvals:                      # deployments here wait for sign-off (slipway approve VERSION --env production)
    #   required: 2                   # distinct approvers per release
    #   approvers: [alice, "role:approver"] # token names, or role:approver / role:deployer / role:admin here (1..6)
    #   selfApproval: false           # may whoever deploys the release approve it? (false; true for development)
    #   expiresAfter: 30d             # older approvals no longer count

services:
  web:                                # service name, same rules as the project name
    command: node                     # the program; run without a shell
    args: [server.js, --port, "{port}"] # {port}: the instance's port (also in $PORT); {version}: the release
    cwd: .                            # working directory; may contain {version}, e.g. releases/{version}
    env:                              # environment variables; values may contain {version}
      APP_VERSION: "{version}"
    instances: 1                      # how many instances run (1..64)
    route:
      pathPrefix: /                   # requests under this path reach the service (longest prefix wins)
      # host: web.local               # only requests with this Host header
    health:
      path: /health                   # probed with GET; 2xx or 3xx is healthy
      interval: 1s                    # time between probes
      timeout: 2s                     # how long one probe may take
      healthyThreshold: 1             # consecutive successes before healthy
      unhealthyThreshold: 3           # consecutive failures before unhealthy
      startTimeout: 60s               # how long a new instance may take to become healthy
    drainTimeout: 30s                 # in-flight requests finish; then SIGTERM, this long again, SIGKILL
    resources:                        # per instance
      memory: 512Mi                   # the memory alert fires above 80 % of it (the local runtime does not enforce it)
      volumes: []                     # paths it writes to, e.g. [data]; the disk alert watches them (85 %)
    strategy:
      type: blue-green                # start a full new set, switch all traffic at once
      keepOldFor: 5m                  # keep the old set warm (unrouted) for an instant rollback
    # strategy: { type: rolling, maxSurge: 1, maxUnavailable: 0 }  # or replace a few instances at a time
    # strategy:                       # or a canary: a growing share of traffic, judged against stable
    #   type: canary
    #   steps:                        # default: 5 → analyze 20s → 25 → analyze → 50 → analyze → 100
    #     - setWeight: 5              # percentage of traffic to the new release
    #     - analyze: { for: 20s }     # hold while the judge compares; go on only when it passes
    #     - pause: 30s                # or pause: {} to wait for slipway promote / resume
    #     - setWeight: 50
    #   scale: 1                      # candidate instances before the final shift (default: in proportion)
    #   sticky: false                 # keep each client on the release it first got
    #   analysis:
    #     interval: 1s                # how often the judge looks; it rolls back as soon as evidence is conclusive
    #     inconclusiveLimit: 1        # inconclusive analyze steps tolerated, then onInconclusive
    #     consecutiveErrorLimit: 4    # looks in a row with a failing signal source before rolling back
    #     onInconclusive: pause       # pause (for a human) or rollback
    #     triggers: { errorRateVsBaseline: 5, p95VsBaseline: 5, maxErrorRate: 1%, maxP95: 500ms, unavailableFor: 2m }
    #     statistics:
    #       { confidence: 99.9%, allowedLatencyIncrease: 20%, allowedErrorRateIncrease: 0.5%, minSamples: 20,
    #         passScore: 95, marginalScore: 75 }
    #     prometheus:                 # extra signals by PromQL; {release} {service} {environment} {project} {window}
    #       address: http://127.0.0.1:9090
    #       metrics:
    #         - name: error-ratio     # names the metric in verdicts
    #           query: 'sum(rate(http_requests_total{release="{release}",code=~"5.."}[{window}]))'
    #           higherIsWorse: true
    #     probes:                     # synthetic requests to the candidate: a correctness canary
    #       - name: known-quote
    #         method: POST
    #         path: /quotes
    #         body: { tonnage: 42000, vesselClass: tanker, routeRisk: 3 }
    #         headers: { content-type: application/json }
    #         expect: { status: 200, bodyContains: premium, json: { premium: 102668.99 }, release: true }
    # dependsOn: [quote-db]           # slipway release moves these first (default: database.service first)
    environments:                     # per-environment: instances, strategy, drainTimeout replace; env, health merge
      production:
        instances: 2
        env: { LOG_LEVEL: warn }
        # hosts: [ssh://deploy@10.0.0.7]  # this service's own SSH hosts here (replaces the environment's hosts)
        # container: {}               # or in containers here (replaces the environment's hosts or container)
    releases: {}                      # per-version overrides (command, args, cwd, env), e.g.:
    #   "2.0.0": { args: [server-v2.js], env: { FEATURE_X: "on" } }
  # frontend:                         # a static build (React, Vite...) served by Slipway instead of a command
  #   static:
  #     dir: frontend/releases/{version}/dist # the build, e.g. Vite's dist/; must hold index.html
  #     keep: 3                       # earlier releases whose files stay served (old pages still load chunks)
  #     spa: true                     # paths without a file extension that name no file get index.html
  #     budget:                       # gzip sizes from the build manifest; too big fails the deployment
  #       manifest: .vite/manifest.json # relative to dir (Vite: build.manifest: true)
  #       total: 300KB                # all entries with their imports
  #       perEntry: 200KB             # each entry with its imports
  #       maxGrowth: 10%              # against the previous release
  #   route: { pathPrefix: / }        # (then give web another prefix, e.g. /api, or a host)
  #   strategy: { type: canary, sticky: true }  # a user stays on one version; pages pin their API calls to it

# database:                           # migrations that ship with releases (slipway migrate --help)
#   url: env:DATABASE_URL             # env:NAME is read when used, never stored; environments may override it
#   migrations: migrations            # NNNN_name.up.sql + .down.sql; may contain {version}
#   service: api                      # whose releases carry them (required with several services)
#   lockTimeout: 2s                   # set for every migration; retried with backoff when the lock is busy
#   statementTimeout: 60s
#   lockRetries: 5
#   revertOnRollback: false           # run safe down scripts of a rolled-back deployment's expand migrations
#   backups:                          # pg_dump before migrations run (false: off); slipway db backups / restore
#     dir: backups                    # default: <dataDir>/backups
#     keep: 10                        # per environment
#     scope: database                 # or touched: only the tables the migrations name
#   integrityChecks:                  # read-only SQL, one boolean each, after migrations; false fails the release
#     - select count(*) = 0 from policies where vessel_id is null

# triggers:                           # deploy on GitHub pushes (webhook: POST /api/v1/webhooks/github, JSON)
#   github:
#     secret: env:GITHUB_WEBHOOK_SECRET # the webhook's secret, read from this variable (X-Hub-Signature-256)
#     rules:                          # tried in order; the first whose branch matches decides
#       - { branch: main, environment: staging }  # a merged pull request goes to staging
#       - branch: "feature/*"         # a glob: * within one segment, ** across segments
#         environment: development
#         services: [web]             # default: every service
#         version: "{sha7}"           # release version from the commit: "{sha7}" (default) or "{sha}"

# sso:                                # log in with an OpenID Connect provider (WorkOS, Okta, Auth0, Keycloak...)
#   issuer: https://login.example.com # the provider's issuer URL (http:// only on 127.0.0.1 / localhost)
#   clientId: slipway                 # the client Slipway is registered as
#   clientSecret: env:SLIPWAY_OIDC_SECRET # read from this variable at each login, never stored
#   redirectUri: http://127.0.0.1:7420/api/v1/auth/oidc/callback # register this URI at the provider
#   scopes: [openid, profile, email, groups] # must include openid
#   groupsClaim: groups               # the ID token claim listing the person's groups
#   groups:                           # provider group -> grants (ROLE:ENV[,ENV] or ROLE:*); no listed group, no login
#     platform-admins: ["admin:*"]
#     release-managers: ["approver:production", "deployer:staging,production"]
#     engineers: ["viewer:*"]

# access:
#   mfaRequired: [production]         # sessions need TOTP here to approve or act as admin ([]: off; not tokens)

# notifications:                      # messages through an outbox: retried, never lost, never slowing a deployment
#   link: https://slipway.example.com # base of deployment links in messages (default: the coordinator address)
#   timeout: 10s                      # one send
#   concurrency: 4                    # sends in flight per notification service
#   retry: { attempts: 10, backoff: 1s, maxBackoff: 5m } # 5xx, timeouts, refused connections; 4xx fail at once
#   freezeNotice: 1h                  # on-freeze-starting fires this long before a freeze window
#   services:                         # URLs and tokens are secrets of the environment: secret:NAME
#     team-slack: { type: slack, url: secret:SLACK_WEBHOOK_URL }     # incoming webhook, Block Kit
#     ops-teams: { type: teams, url: secret:TEAMS_WEBHOOK_URL }      # Workflows webhook, Adaptive Card
#     release-mail:                   # e-mail over SMTP
#       type: email
#       url: secret:SMTP_URL          # smtp://user:password@mail.example.com:587
#       from: slipway@example.com     # the sender
#       to: [releases@example.com]    # recipients
#     audit-hook: { type: webhook, url: secret:HOOK_URL, secret: secret:HOOK_SECRET } # Standard Webhooks signed
#     pager: { type: pagerduty, routingKey: secret:PD_ROUTING_KEY } # Events API v2; url: secret:NAME overrides it
#     tickets:                        # Jira Cloud: an issue per incident, moved when acknowledged and resolved
#       type: jira
#       site: https://example.atlassian.net
#       email: secret:JIRA_EMAIL      # basic auth: the Atlassian account e-mail...
#       token: secret:JIRA_TOKEN      # ...and its API token
#       project: OPS                  # the project key
#       issueType: Task               # of an incident issue
#       transitions: { acknowledged: In Progress, resolved: Done } # failed: a transition for failed deployments
#       changes: { environments: [production], issueType: Task } # change tracking: an issue per deployment there
#     github:                         # GitHub deployments and statuses of releases triggered by a push
#       type: github
#       token: secret:GITHUB_TOKEN    # "Deployments: write" on the repository
#       repository: acme/harbor-quote # owner/name
#       api: https://api.github.com   # GitHub Enterprise Server: https://HOST/api/v3
#       environmentUrls: { production: https://quote.example.com } # shown on the deployment in GitHub
#   templates:                        # {{service}} {{environment}} {{from}} {{to}} {{by}} {{reason}} {{link}}...
#     short:
#       title: "{{service}} {{to}} failed in {{environment}}" # header, subject, card title
#       body: "{{reason}} (score {{verdict.score}}) {{link}}" # a missing value sends the plain fallback
#   subscriptions:                    # which triggers go where
#     - on: [on-deployment-failed, on-deployment-rolled-back, on-incident-opened] # on-deployment-started...
#       to: [team-slack, pager]       # notification services above
#       environments: [production]    # default: every environment
#       services: [api]               # default: every service
#       template: short               # default: the built-in message
`;
}
