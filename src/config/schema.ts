/**
 * slipway.yaml as zod sees it: the shape people write, with defaults and help text. The JSON
 * Schema for editors is generated from this (json-schema.ts); normalize.ts turns the parsed
 * result into the model. Objects are strict so a misspelled key is an error, not a silent no-op.
 */
import { windowsField } from './windows-schema.js';
import { kubernetesRuntimeSchema } from './kubernetes-schema.js';
import { z } from 'zod';
import { errorsSchema } from './errors-schema.js';
import {
  amountField,
  commandField,
  durationField,
  environmentNameField,
  envField,
  hostField,
  listenField,
  nameField,
  positiveDurationField,
  positiveWaitField,
  waitField,
  scalarField,
  urlPathField,
  versionField,
} from './fields.js';
import { canarySchema } from './canary-schema.js';
import { triggersSchema } from './triggers-schema.js';
import { gatesSchema } from './gates-schema.js';
import { approvalsSchema } from './approvals-schema.js';
import { ssoSchema } from './sso-schema.js';
import { accessSchema } from './access-schema.js';
import { memoryField } from './memory-size.js';
import { staticSchema } from './static-schema.js';
import { alertsSchema, resourcesSchema } from './alerts-schema.js';
import { notificationsSchema } from './notifications-schema.js';

const threshold = (description: string) => z.int().min(1).max(100).meta({ description });

/** Health check fields; in overrides each is optional and merged over the service's. */
const healthFields = {
  path: urlPathField('path').meta({ description: 'HTTP path probed with GET; 2xx or 3xx is healthy.' }),
  interval: positiveWaitField.meta({ description: 'Time between probes, e.g. 1s.' }),
  timeout: positiveWaitField.meta({ description: 'How long one probe may take, e.g. 2s.' }),
  healthyThreshold: threshold('Consecutive successes before an instance counts as healthy.'),
  unhealthyThreshold: threshold('Consecutive failures before an instance counts as unhealthy.'),
  startTimeout: positiveWaitField.meta({ description: 'How long a new instance may take to become healthy.' }),
};

const healthSchema = z
  .strictObject({
    path: healthFields.path.default('/health'),
    interval: healthFields.interval.default('1s'),
    timeout: healthFields.timeout.default('2s'),
    healthyThreshold: healthFields.healthyThreshold.default(1),
    unhealthyThreshold: healthFields.unhealthyThreshold.default(3),
    startTimeout: healthFields.startTimeout.default('60s'),
  })
  .prefault({})
  .meta({ title: 'Health check', description: 'How instances are probed. Every field has a default.' });

const healthOverrideSchema = z
  .strictObject(
    Object.fromEntries(Object.entries(healthFields).map(([key, field]) => [key, field.optional()])) as {
      [K in keyof typeof healthFields]: z.ZodOptional<(typeof healthFields)[K]>;
    },
  )
  .meta({ description: 'Merged over the service health check.' });

const blueGreenSchema = z
  .strictObject({
    type: z.literal('blue-green'),
    keepOldFor: durationField
      .default('5m')
      .meta({ description: 'Keep the old set running (unrouted) this long for an instant rollback.' }),
  })
  .meta({
    title: 'Blue-green',
    description: 'Start a full new set beside the old one, then switch all traffic at once.',
  });

const rollingSchema = z
  .strictObject({
    type: z.literal('rolling'),
    maxSurge: amountField
      .default(1)
      .meta({ description: 'Instances above the desired count while rolling: a number or "25%".' }),
    maxUnavailable: amountField
      .default(0)
      .meta({ description: 'Instances below the desired count while rolling: a number or "25%". Not both 0.' }),
  })
  .meta({ title: 'Rolling', description: 'Replace instances a few at a time.' });

const strategySchema = z
  .discriminatedUnion('type', [blueGreenSchema, rollingSchema, canarySchema])
  .meta({ description: 'How traffic moves to a new release: blue-green, rolling or canary.' });

const argsField = z
  .array(scalarField)
  .meta({ description: 'Arguments; {port} is the instance port, {version} the release version.' });
const cwdField = z
  .string()
  .min(1)
  .meta({ description: 'Working directory relative to slipway.yaml; may contain {version}.' });
const instancesField = z.int().min(1).max(64).meta({ description: 'How many instances run (1..64).' });
const drainField = waitField.meta({
  description: 'In-flight requests get this long to finish; then SIGTERM, this long again, SIGKILL.',
});

/** `ssh://user@host[:port][/dir]`: one SSH host instances run on (src/runtimes/ssh/host-address.ts parses it). */
const sshHostPattern = /^ssh:\/\/[a-z_][a-z0-9_.-]{0,31}@[A-Za-z0-9.-]{1,253}(:\d{1,5})?(\/[A-Za-z0-9._/-]*)?$/i;
const hostsField = z
  .array(
    z
      .string()
      .regex(
        sshHostPattern,
        'must be ssh://user@host[:port] (a directory may follow, e.g. ssh://deploy@10.0.0.5/srv/slipway)',
      )
      .refine((url) => !url.includes('/..'), 'must not contain ".." in its directory'),
  )
  .min(1)
  .refine((hosts) => new Set(hosts).size === hosts.length, 'lists a host twice')
  .meta({
    description:
      'SSH hosts instances run on (agentless, as Kamal): ssh://user@host[:port][/dir]; absent: on this machine.',
  });
const sshKeyField = z
  .union([z.literal('agent'), z.string().regex(/^secret:[A-Za-z_][A-Za-z0-9_]*$/, 'must be agent or secret:NAME')])
  .default('agent')
  .meta({
    description:
      "How Slipway logs in to the hosts: agent (the coordinator's SSH_AUTH_SOCK) or secret:NAME (a private key " +
      'stored with slipway secrets set NAME --env ENV).',
  });

/** `container:` — run this environment's (or service's) instances in containers (src/runtimes/container). */
const containerField = z
  .strictObject({
    memory: memoryField.optional().meta({
      description: "Memory limit of each instance's container (e.g. 256MiB); absent: the service's resources.memory.",
    }),
  })
  .meta({
    description:
      "Run instances in containers through the Docker Engine API (an image per release on this machine's " +
      'node, the port published on a loopback address); with hosts:, on the Docker Engine of each SSH host ' +
      "(reached over SSH, ports published on the host's address); absent: as detached processes (or on hosts:).",
  });

const environmentOverrideSchema = z
  .strictObject({
    instances: instancesField.optional(),
    strategy: strategySchema.optional(),
    env: envField.optional().meta({ description: 'Merged over the service env.' }),
    health: healthOverrideSchema.optional(),
    drainTimeout: drainField.optional(),
    hosts: hostsField.optional().meta({ description: "This service's SSH hosts here (replaces the environment's)." }),
    container: containerField.optional(),
  })
  .meta({
    description: 'Changes for one environment; strategy, instances and drainTimeout replace, env and health merge.',
  });

const releaseOverrideSchema = z
  .strictObject({
    command: commandField.optional().meta({ description: 'Program for this release.' }),
    args: argsField.optional().meta({ description: 'Replaces the service args for this release.' }),
    cwd: cwdField.optional(),
    env: envField.optional().meta({ description: 'Merged over the service (and environment) env.' }),
  })
  .meta({ description: 'Changes for one release version.' });

const routeSchema = z
  .strictObject({
    pathPrefix: urlPathField('pathPrefix')
      .default('/')
      .meta({ description: 'Requests under this path reach the service; the longest prefix wins.' }),
    host: hostField.optional().meta({ description: 'Only requests with this Host header (without port).' }),
  })
  .prefault({})
  .meta({ description: 'Which requests of an environment reach this service.' });

const serviceSchema = z
  .strictObject({
    command: commandField.optional().meta({
      description: 'The program to run, found on PATH or relative to cwd. Run without a shell. Required unless static.',
    }),
    static: staticSchema.optional(),
    args: argsField.default([]),
    cwd: cwdField.default('.'),
    env: envField.default({}).meta({ description: 'Environment variables; values may contain {version}.' }),
    instances: instancesField.default(1),
    route: routeSchema,
    health: healthSchema,
    drainTimeout: drainField.default('30s'),
    strategy: strategySchema.default({ type: 'blue-green', keepOldFor: '5m' }),
    dependsOn: z
      .array(nameField)
      .max(64)
      .optional()
      .meta({
        description:
          'Services that must be live on a release before this one moves, when the whole release ships (slipway ' +
          'release). Absent: the database service moves first, then the other services.',
      }),
    resources: resourcesSchema.optional(),
    environments: z
      .record(environmentNameField, environmentOverrideSchema)
      .default({})
      .meta({ description: 'Per-environment overrides; keys must be declared environments.' }),
    releases: z
      .record(versionField, releaseOverrideSchema)
      .default({})
      .meta({ description: 'Per-version overrides (quote versions in YAML: "2.0.0").' }),
  })
  .meta({
    title: 'Service',
    description: 'A process Slipway runs, routes to and deploys: a command, or a static frontend build (static).',
  });

const databaseUrlField = z
  .string()
  .min(1)
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|postgres(ql)?:\/\/.+)$/,
    'expected env:VARIABLE (read when used, never stored) or a postgres:// URL',
  )
  .meta({
    description:
      'The application database: env:NAME reads environment variable NAME when used; a literal postgres:// URL also ' +
      'works.',
  });

const databaseSchema = z
  .strictObject({
    url: databaseUrlField.default('env:DATABASE_URL'),
    migrations: z
      .string()
      .min(1)
      .default('migrations')
      .meta({
        description:
          'Directory of NNNN_name.up.sql / .down.sql files, relative to slipway.yaml; may contain {version} so each ' +
          'release carries its own.',
      }),
    service: nameField.optional().meta({
      description: 'The service whose releases carry the migrations; required when the project has several services.',
    }),
    lockTimeout: positiveWaitField.default('2s').meta({
      description: 'lock_timeout set for every migration; a lock not granted in time is retried with backoff.',
    }),
    statementTimeout: positiveWaitField
      .default('60s')
      .meta({ description: 'statement_timeout set for every migration.' }),
    lockRetries: z
      .int()
      .min(0)
      .max(20)
      .default(5)
      .meta({ description: 'Retries (with exponential backoff) when lock_timeout expires.' }),
    revertOnRollback: z
      .boolean()
      .default(false)
      .meta({
        description:
          'When a deployment rolls back, run the down scripts of its expand migrations too ' +
          '(only safe ones; data-loss downs never run automatically).',
      }),
    backups: z
      .union([
        z.literal(false),
        z.strictObject({
          dir: z
            .string()
            .min(1)
            .optional()
            .meta({ description: 'Where backups go, relative to slipway.yaml (default: the data directory/backups).' }),
          keep: z
            .int()
            .min(1)
            .max(1000)
            .default(10)
            .meta({ description: 'Backups kept per environment; older ones are deleted.' }),
          scope: z.enum(['database', 'touched']).default('database').meta({
            description:
              'database: the whole database; touched: only the tables the migrations name (and the history table).',
          }),
        }),
      ])
      .default({ keep: 10, scope: 'database' })
      .meta({
        description:
          "Before a release's migrations run, pg_dump (postgresql-client) backs the database up; if it fails the " +
          'migrations do not run. false turns backups off. Restore with slipway db restore.',
      }),
    integrityChecks: z
      .array(z.string().trim().min(1).max(10_000))
      .max(100)
      .default([])
      .meta({
        description:
          'SQL returning one boolean, run read-only after migrations (e.g. "select count(*) = 0 from policies ' +
          'where vessel_id is null"); any that is not true fails the release, and it is rolled back.',
      }),
  })
  .meta({
    title: 'Database',
    description:
      'Migrations that ship with releases: linted, dry-run, and sequenced with deployments (expand before, contract ' +
      'after).',
  });

const freezeSchema = z
  .strictObject({
    cron: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Recurring: when each window starts (5-field cron, e.g. "0 16 * * 5" for Fridays 16:00).' }),
    duration: positiveDurationField
      .optional()
      .meta({ description: 'Recurring: how long each window lasts (e.g. 64h).' }),
    timezone: z
      .string()
      .min(1)
      .default('UTC')
      .meta({ description: 'IANA time zone of the cron expression, e.g. Europe/London.' }),
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'One-off: start, ISO 8601 with offset (2026-12-20T00:00:00Z).' }),
    until: z.iso.datetime({ offset: true }).optional().meta({ description: 'One-off: end (exclusive).' }),
    message: z
      .string()
      .min(1)
      .meta({ description: 'Shown to whoever is refused, e.g. "holiday freeze: ask #releases".' }),
  })
  .meta({ title: 'Freeze window', description: 'Either cron + duration (+ timezone), or from + until.' });

const environmentSchema = z
  .strictObject({
    listen: listenField.meta({ description: 'host:port the environment serves traffic on.' }),
    hosts: hostsField.optional(),
    sshKey: sshKeyField,
    container: containerField.optional(),
    requires: z
      .array(environmentNameField)
      .default([])
      .meta({ description: 'Environments a release must have been deployed to successfully first, e.g. [staging].' }),
    soak: durationField
      .default(0)
      .meta({ description: 'And it must have been live there at least this long (e.g. 30m).' }),
    freezes: z
      .array(freezeSchema)
      .default([])
      .meta({ description: 'Windows when deployments are refused (--emergency --reason overrides, admins only).' }),
    windows: windowsField,
    gates: gatesSchema.optional(),
    approvals: approvalsSchema.optional(),
    watch: z
      .strictObject({
        for: durationField.default('5m').meta({
          description:
            'How long after a rollout the new release is still judged against the previous one (0s: not at all).',
        }),
        onRegression: z
          .enum(['rollback', 'alert'])
          .default('rollback')
          .meta({ description: 'A regression during the watch rolls back to the previous release, or only says so.' }),
        warmUp: durationField.default('30s').meta({
          description:
            'Latency is not judged for this long after the watch begins, and what the new release served meanwhile ' +
            'does not count against it (a fresh process is slow at first); errors are judged from the start.',
        }),
      })
      .prefault({})
      .meta({
        title: 'Post-deploy watch',
        description: 'After a deployment succeeds, keep judging the new release against the previous one for a while.',
      }),
    alerts: alertsSchema,
    database: z
      .strictObject({ url: databaseUrlField })
      .optional()
      .meta({
        description:
          "This environment's database, when it is not the top-level database.url. Environments with the same URL " +
          'share one database.',
      }),
  })
  .meta({ title: 'Environment' });

/** The whole slipway.yaml. */
export const configSchema = z
  .strictObject({
    project: nameField.meta({ description: 'Project name: lowercase letters, digits and dashes.' }),
    dataDir: z
      .string()
      .min(1)
      .default('.slipway')
      .meta({ description: 'Store, proxy state and logs, relative to slipway.yaml.' }),
    coordinator: z
      .strictObject({
        listen: listenField.default('127.0.0.1:7420').meta({ description: 'Address of the API the CLI talks to.' }),
      })
      .prefault({})
      .meta({ description: 'The coordinator: API, deployment engine and store.' }),
    proxy: z
      .strictObject({
        kind: z
          .enum(['builtin', 'haproxy'])
          .default('builtin')
          .meta({
            description:
              "builtin: Slipway's own proxy process (the default); haproxy: a master-worker HAProxy 2.6+ that " +
              'Slipway starts and drives through its runtime API (see proxy.binary).',
          }),
        binary: z.string().regex(/^\//, 'must be an absolute path to the haproxy executable').optional().meta({
          description: 'kind haproxy: the haproxy executable (default /usr/sbin/haproxy, where Debian puts it).',
        }),
        admin: listenField
          .default('127.0.0.1:7421')
          .meta({ description: "Address of the built-in proxy's admin API (reserved with kind haproxy too)." }),
        workers: z
          .union([z.literal('auto'), z.int().min(0).max(64)])
          .default('auto')
          .meta({
            description:
              'Worker processes serving traffic behind a parent that keeps the sockets (a killed worker is replaced ' +
              'while the others serve): auto = one per core but one, at least one; 0 = serve in the one process. ' +
              'Applies when the proxy starts; built-in proxy only.',
          }),
      })
      .prefault({})
      .meta({ description: 'The proxy (data plane) that serves every environment.' }),
    runtime: z
      .strictObject({
        ports: z
          .strictObject({
            from: z.int().min(1024).max(65535).meta({ description: 'First port instances may listen on.' }),
            to: z.int().min(1024).max(65535).meta({ description: 'Last port (inclusive).' }),
          })
          .refine((r) => r.from <= r.to, { message: 'from must not be above to', path: ['to'] })
          .optional()
          .meta({
            description: 'Loopback ports instances listen on (e.g. to match a firewall rule); absent: any free port.',
          }),
        kubernetes: kubernetesRuntimeSchema.optional(),
        docker: z
          .strictObject({
            socket: z
              .string()
              .regex(/^\//, 'must be an absolute path to the Docker Engine API socket')
              .optional()
              .meta({
                description: 'The Engine API socket; absent: DOCKER_HOST (unix://), else /var/run/docker.sock.',
              }),
            publish: z.ipv4().default('127.0.0.1').meta({
              description: 'Address container ports are published on (loopback: only this machine reaches them).',
            }),
          })
          .optional()
          .meta({ description: 'The Docker Engine used by environments (or services) with container:.' }),
      })
      .prefault({})
      .meta({
        description: 'Where instances run: on this machine, detached processes (the local runtime), or on Kubernetes.',
      }),
    environments: z
      .record(environmentNameField, environmentSchema)
      .refine((environments) => Object.keys(environments).length > 0, 'declare at least one environment')
      .meta({ description: 'Environments in promotion order, each with the address it serves on.' }),
    services: z
      .record(nameField, serviceSchema)
      .refine((services) => Object.keys(services).length > 0, 'declare at least one service')
      .meta({ description: 'The services of the project, by name.' }),
    database: databaseSchema.optional(),
    triggers: triggersSchema.optional(),
    sso: ssoSchema.optional(),
    access: accessSchema.optional(),
    errors: errorsSchema,
    notifications: notificationsSchema.optional(),
  })
  .meta({
    title: 'slipway.yaml',
    description: 'Slipway project configuration: environments, services and how they deploy.',
  });

/** What configSchema accepts (the file as written). */
export type ConfigInput = z.input<typeof configSchema>;
/** What configSchema returns: defaults filled in, before normalization. */
export type ParsedConfig = z.output<typeof configSchema>;
/** Parsed strategy, before durations become ms. */
export type ParsedStrategy = z.output<typeof strategySchema>;
/** Parsed environment override. */
export type ParsedEnvironmentOverride = z.output<typeof environmentOverrideSchema>;
