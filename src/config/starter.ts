/** The slipway.yaml that `slipway init` writes: every option present, each with a one-line comment. */
import { ConfigError } from './errors.js';
import { namePattern } from './fields.js';

/** Editors with the YAML language server validate and complete against the schema in the installed package. */
export const schemaComment = '# yaml-language-server: $schema=node_modules/slipway/schema/slipway.schema.json';

/** A starter slipway.yaml for `project`; throws ConfigError when the name is not a valid project name. */
export function starterConfig(project: string): string {
  if (!namePattern.test(project) || project.length > 63) {
    const message = `invalid project name ${JSON.stringify(project)}: expected lowercase letters, digits and dashes, starting with a letter or digit (like harbor-quote)`;
    throw new ConfigError([{ path: 'project', message }]);
  }
  return `${schemaComment}
# Slipway project config. Durations: 250ms, 30s, 2m, 1m30s. Relative paths are relative to this file.

${`project: ${project}`.padEnd(37)} # lowercase letters, digits and dashes
dataDir: .slipway                     # store, proxy state and instance logs
coordinator: { listen: 127.0.0.1:7420 } # the API the slipway CLI talks to
proxy: { admin: 127.0.0.1:7421 }      # the data plane's admin API

# Environments in promotion order; each serves its traffic on its own address.
environments:
  development: { listen: 127.0.0.1:8080 }
  staging: { listen: 127.0.0.1:8081 }
  production: { listen: 127.0.0.1:8082 }

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
    strategy:
      type: blue-green                # start a full new set, switch all traffic at once
      keepOldFor: 5m                  # keep the old set warm (unrouted) for an instant rollback
    # strategy: { type: rolling, maxSurge: 1, maxUnavailable: 0 }  # or replace a few instances at a time
    environments:                     # per-environment overrides: instances, strategy, drainTimeout replace; env, health merge
      production:
        instances: 2
        env: { LOG_LEVEL: warn }
    releases: {}                      # per-version overrides (command, args, cwd, env), e.g.:
    #   "2.0.0": { args: [server-v2.js], env: { FEATURE_X: "on" } }
`;
}
