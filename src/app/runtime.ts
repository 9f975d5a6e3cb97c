import path from 'node:path';
import type { SecretVault } from '../access/secrets/vault.js';
import type { ProjectConfig } from '../config/model.js';
import { LocalRuntime } from '../runtimes/local/index.js';
import type { InstanceSpec, Runtime } from '../runtimes/runtime.js';
import { type HostAddress, parseHostAddress } from '../runtimes/ssh/host-address.js';
import type { HostCredentials } from '../runtimes/ssh/host-connection.js';
import { SlipwayError } from '../shared/errors.js';
import { coordinatorEnvNames, coordinatorSecretNames } from './coordinator-secrets.js';
import type { Logger } from '../shared/logging.js';
import { containerOf, hostsOf, PlacedRuntime } from './placed-runtime.js';

export interface RuntimeWiring {
  config: ProjectConfig;
  /** Every project the coordinator serves (the stored ones too), read when an instance is placed. */
  projects: () => ProjectConfig[];
  secrets: SecretVault;
  instanceLogs: string;
  logger: Logger;
  /** More environment for each start, under the secrets (e.g. SENTRY_DSN, src/app/sentry-env.ts). */
  baseEnv?: (spec: InstanceSpec) => Promise<Record<string, string>>;
}

/** The secrets of a spec's environment that Slipway itself uses (coordinator-secrets.ts): never handed to instances. */
function withheldSecretsOf(projects: () => ProjectConfig[], spec: Pick<InstanceSpec, 'project' | 'environment'>) {
  const config = projects().find((c) => c.project === spec.project);
  return config ? coordinatorSecretNames(config, spec.environment) : new Set<string>();
}

/**
 * The runtime the engine uses: Kubernetes when `runtime.kubernetes` is set; else the local one, with it the SSH
 * runtime when any environment or service of the project has `hosts:`, and the container runtime when any has
 * `container:`. Secrets are resolved at each start; those Slipway itself uses (its SSH key, the notification
 * services' credentials, Sentry's) are kept out of its instances' environment.
 */
export async function buildRuntime(w: RuntimeWiring): Promise<Runtime> {
  const secretEnv = async (spec: InstanceSpec) => {
    const env = {
      ...(await w.baseEnv?.(spec)),
      ...(await w.secrets.environmentFor({ project: spec.project, environment: spec.environment })),
    };
    for (const name of withheldSecretsOf(w.projects, spec)) delete env[name];
    return env;
  };
  const kubernetes = w.config.runtime.kubernetes;
  if (kubernetes) {
    // Loaded only here: @kubernetes/client-node takes seconds to import on a loaded machine.
    const { KubeApi, KubernetesRuntime, loadKubeConfig } = await import('../runtimes/kubernetes/index.js');
    // Slipway's secrets are not sent to the cluster: Kubernetes Secrets come in through envFrom.
    return new KubernetesRuntime({
      ...kubernetes,
      envFromSecrets: kubernetes.envFrom,
      api: new KubeApi(loadKubeConfig(kubernetes), kubernetes.namespace),
      logger: w.logger.child({ part: 'kubernetes-runtime' }),
    });
  }
  const local = new LocalRuntime({
    logDir: w.instanceLogs,
    logger: w.logger.child({ part: 'runtime' }),
    secretEnv,
    withheldEnv: () => coordinatorEnvNames(w.projects()),
    ...(w.config.runtime.ports ? { ports: w.config.runtime.ports } : {}),
  });
  const usesHosts =
    w.config.environments.some((e) => e.hosts) ||
    w.config.services.some((s) => Object.values(s.environments).some((o) => o.hosts));
  const here = usesHosts ? await withHosts(w, local, secretEnv) : local;
  const usesContainers =
    w.config.environments.some((e) => e.container) ||
    w.config.services.some((s) => Object.values(s.environments).some((o) => o.container));
  if (!usesContainers) return here;
  const docker = w.config.runtime.docker;
  // Loaded only when used, as the SSH runtime: dockerode (and the gRPC and SSH stacks it brings) cost ~0.2 s of CPU
  // to import, paid by every coordinator start, while most projects run no container.
  const { ContainerRuntime, HostContainers } = await import('../runtimes/container/index.js');
  const common = {
    // The container's limit is the one the memory alert compares with (resources.memory), unless container: sets one.
    memoryBytes: (spec: InstanceSpec) =>
      containerOf(w.projects, spec)?.memoryBytes ??
      w
        .projects()
        .find((c) => c.project === spec.project)
        ?.services.find((s) => s.name === spec.service)?.resources?.memoryBytes,
    secretEnv,
    logger: w.logger.child({ part: 'container-runtime' }),
  };
  const localContainers = new ContainerRuntime({
    ...(docker?.socket ? { socketPath: docker.socket } : {}),
    publishHost: docker?.publish ?? '127.0.0.1',
    ...common,
  });
  // Containers of environments (or services) with hosts: run on those hosts' engines, reached over SSH.
  const containers = usesHosts
    ? new HostContainers({
        ...common,
        local: localContainers,
        hostsFor: (spec) => hostsOf(w.projects, spec),
        knownHostsFile: knownHostsFile(w),
        credentials: (host) => credentialsFor(w, host),
      })
    : localContainers;
  // Containers first: a service's container: wins over its environment's hosts:.
  return new PlacedRuntime(here, containers, (spec) => containerOf(w.projects, spec) !== undefined);
}

/** The local runtime together with the SSH runtime, for environments (or services) with `hosts:`. */
async function withHosts(
  w: RuntimeWiring,
  local: Runtime,
  secretEnv: (spec: InstanceSpec) => Promise<Record<string, string>>,
): Promise<Runtime> {
  const { SshRuntime } = await import('../runtimes/ssh/index.js');
  const ssh = new SshRuntime({
    hostsFor: (spec) => hostsOf(w.projects, spec),
    knownHostsFile: knownHostsFile(w),
    credentials: (host) => credentialsFor(w, host),
    secretEnv,
    logger: w.logger.child({ part: 'ssh-runtime' }),
  });
  return new PlacedRuntime(local, ssh, (spec) => hostsOf(w.projects, spec).length > 0);
}

/** Host keys pinned on first use, shared by the SSH runtime and containers on SSH hosts. */
function knownHostsFile(w: RuntimeWiring): string {
  return path.join(w.config.dataDir, 'ssh', 'known-hosts.json');
}

/** The key of the first environment that lists this host: its secret, else the SSH agent. */
async function credentialsFor(w: RuntimeWiring, host: HostAddress): Promise<HostCredentials> {
  for (const config of w.projects()) {
    for (const environment of config.environments) {
      const lists = [
        ...(environment.hosts ?? []),
        ...config.services.flatMap((s) => s.environments[environment.name]?.hosts ?? []),
      ].some((url) => parseHostAddress(url).label === host.label);
      if (!lists) continue;
      if (!environment.sshKeySecret) break;
      const env = await w.secrets.environmentFor({ project: config.project, environment: environment.name });
      const privateKey = env[environment.sshKeySecret];
      if (!privateKey)
        throw new SlipwayError(
          'unavailable',
          `host ${host.label}: secret ${environment.sshKeySecret} (sshKey of ` +
            `environments.${environment.name}) is not set: slipway secrets set ${environment.sshKeySecret} --env ` +
            `${environment.name}`,
        );
      return { privateKey };
    }
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (!agent)
    throw new SlipwayError(
      'unavailable',
      `host ${host.label}: no SSH key: set sshKey: secret:NAME on its ` +
        'environment, or run the coordinator with an SSH agent (SSH_AUTH_SOCK)',
    );
  return { agent };
}
