import type { Runtime } from '../runtimes/runtime.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { type InstanceRecord, listInstances } from '../store/repos/instances.js';
import type { DeploymentRecord } from '../model/deployment.js';
import type { ReleaseRecord } from '../store/repos/releases.js';
import type { Role } from '../model/plan.js';
import type { Router } from '../traffic/router.js';
import { aboutDeployment, type EventLog } from './event-log.js';
import type { TrafficController } from './traffic-controller.js';
import type { CanaryWatch } from './analysis/canary-watch.js';
import type { MigrationGate } from './migration-gate.js';
import type { ReleasePreflight } from './release-preflight.js';
import type { InstanceChanges } from './instance-changes.js';

/** What the engine is built from; `app/` supplies the concrete runtime and router. */
export interface EngineDeps {
  db: Db;
  runtime: Runtime;
  router: Router;
  traffic: TrafficController;
  events: EventLog;
  clock: Clock;
  logger: Logger;
  /** How often waits poll (ms); small in tests. */
  pollMs?: number;
  /** Watches canaries (present when the app gives signal sources). */
  canary?: CanaryWatch;
  /** Lints, dry-runs and applies migrations that ship with releases (present when the app gives one). */
  migrations?: MigrationGate;
  /** Checks a release's own files before anything of it moves (present when the app gives one). */
  preflight?: ReleasePreflight;
  /** Word from the instance monitor that an instance's record changed (the engine makes one). */
  instanceChanges?: InstanceChanges;
}

/** What a step runs with: the deployment as stored, its two releases, and a signal that fires on abort. */
export interface StepContext extends EngineDeps {
  deployment: DeploymentRecord;
  /** The release playing a role (stable is absent on a first deployment). */
  releases: Record<Role, ReleaseRecord | undefined>;
  signal: AbortSignal;
}

/** The release playing a role, or an error naming the missing one (a plan bug, not user input). */
export function releaseFor(ctx: StepContext, role: Role): ReleaseRecord {
  const release = ctx.releases[role];
  if (!release) throw new Error(`deployment ${ctx.deployment.id} has no ${role} release`);
  return release;
}

/** The live instances (not stopped) of one release of the deployment's service in its environment. */
export function liveInstancesOf(ctx: StepContext, releaseId: string): Promise<InstanceRecord[]> {
  const d = ctx.deployment;
  return listInstances(ctx.db, {
    project: d.project,
    environment: d.environment,
    service: d.service,
    releaseId,
    live: true,
  });
}

/** Event fields every deployment event carries. */
export function deploymentEventBase(ctx: StepContext) {
  return aboutDeployment(ctx.deployment);
}
