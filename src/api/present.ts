import type { z } from 'zod';
import type { Queryable } from '../store/db.js';
import type { DeploymentRecord } from '../store/repos/deployments.js';
import type { EventRecord } from '../store/repos/events.js';
import type { InstanceRecord } from '../store/repos/instances.js';
import { getRelease, getReleases, type ReleaseRecord } from '../store/repos/releases.js';
import { describeStep, type Step } from '../strategies/plan.js';
import type { deploymentView, eventView, instanceView, releaseView, verdictView } from './schemas.js';
import { latestVerdicts, listVerdicts, type VerdictRecord } from '../store/repos/verdicts.js';

/** Records → API views. Dates become RFC 3339 strings; release ids gain their versions. */

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

/** Looks releases up once per response. */
export class ReleaseNames {
  private readonly cache = new Map<string, Promise<ReleaseRecord | undefined>>();
  private readonly verdicts = new Map<string, Promise<VerdictRecord | undefined>>();
  constructor(readonly db: Queryable) {}
  get(id: string): Promise<ReleaseRecord | undefined> {
    let hit = this.cache.get(id);
    if (!hit) {
      hit = getRelease(this.db, id);
      this.cache.set(id, hit);
    }
    return hit;
  }
  /** Load these releases in one query, so the `version` calls that follow are answered from memory. */
  async prime(ids: Iterable<string | null | undefined>): Promise<void> {
    const wanted = [...new Set([...ids].filter((id): id is string => !!id && !this.cache.has(id)))];
    const found = new Map((await getReleases(this.db, wanted)).map((r) => [r.id, r]));
    for (const id of wanted) this.cache.set(id, Promise.resolve(found.get(id)));
  }
  /** The newest verdict of each of these deployments in one query, for `presentDeployment` calls that follow. */
  async primeVerdicts(deploymentIds: string[]): Promise<void> {
    const wanted = deploymentIds.filter((id) => !this.verdicts.has(id));
    const found = new Map((await latestVerdicts(this.db, wanted)).map((v) => [v.deploymentId, v]));
    for (const id of wanted) this.verdicts.set(id, Promise.resolve(found.get(id)));
  }
  /** The newest verdict of a deployment (from the primed ones when there). */
  latestVerdict(deploymentId: string): Promise<VerdictRecord | undefined> {
    let hit = this.verdicts.get(deploymentId);
    if (!hit) {
      hit = listVerdicts(this.db, deploymentId, 1).then(([v]) => v);
      this.verdicts.set(deploymentId, hit);
    }
    return hit;
  }
  async version(id: string): Promise<string> {
    return (await this.get(id))?.version ?? id;
  }
}

export async function presentDeployment(
  d: DeploymentRecord,
  names: ReleaseNames,
): Promise<z.infer<typeof deploymentView>> {
  const done = d.state === 'succeeded' || d.state === 'rolled_back' || d.state === 'failed' || d.state === 'cancelled';
  return {
    id: d.id,
    project: d.project,
    service: d.service,
    environment: d.environment,
    kind: d.kind,
    state: d.state,
    strategy: d.strategy,
    from: d.fromRelease ? { id: d.fromRelease, version: await names.version(d.fromRelease) } : null,
    to: { id: d.toRelease, version: await names.version(d.toRelease) },
    step: d.step,
    steps: stepViews(
      d.plan.steps,
      d.step,
      d.state === 'succeeded' || d.state === 'rolled_back' || d.state === 'failed'
        ? 'all-done'
        : done
          ? 'stopped'
          : 'running',
    ),
    trafficShifted: d.progress.trafficShiftedAt !== undefined,
    paused:
      d.control.kind === 'pause'
        ? {
            reason: d.control.reason,
            ...(d.control.by ? { by: d.control.by } : {}),
            at: new Date(d.control.at).toISOString(),
          }
        : null,
    latestVerdict: d.settings.strategyConfig.type === 'canary' ? await latestVerdict(names, d.id) : null,
    rolledBackFrom: d.progress.forward
      ? {
          step: d.progress.forward.step,
          steps: stepViews(d.progress.forward.plan.steps, d.progress.forward.step, 'stopped'),
        }
      : null,
    reason: d.reason ?? null,
    error: d.error ? { message: d.error.message, ...(d.error.details ? { details: d.error.details } : {}) } : null,
    requestedBy: d.requestedBy ?? null,
    emergency: d.settings.emergency ?? null,
    request: d.control.kind,
    watch: d.watch
      ? {
          state: d.watch.state,
          startedAt: new Date(d.watch.startedAt).toISOString(),
          until: new Date(d.watch.until).toISOString(),
          onRegression: d.watch.onRegression,
          ...(d.watch.reason ? { reason: d.watch.reason } : {}),
          ...(d.watch.rollback ? { rollback: d.watch.rollback } : {}),
        }
      : null,
    rollout: d.settings.rollout ?? null,
    restart: d.settings.restart === true,
    createdAt: d.createdAt.toISOString(),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** A stored verdict as the API shows it. */
export function presentVerdict(v: VerdictRecord): z.infer<typeof verdictView> {
  return {
    id: v.id,
    step: v.step,
    at: new Date(v.at).toISOString(),
    outcome: v.outcome,
    score: v.score,
    final: v.final,
    reason: v.reason,
    metrics: v.metrics,
  };
}

async function latestVerdict(names: ReleaseNames, deploymentId: string): Promise<z.infer<typeof verdictView> | null> {
  const v = await names.latestVerdict(deploymentId);
  return v ? presentVerdict(v) : null;
}

/** Steps with their status: done before `current`, running at it (while the plan runs), pending after. */
function stepViews(steps: Step[], current: number, mode: 'running' | 'stopped' | 'all-done') {
  return steps.map((step, i) => ({
    kind: step.kind,
    description: describeStep(step),
    status:
      i < current || (mode === 'all-done' && current >= steps.length)
        ? ('done' as const)
        : i === current && mode === 'running'
          ? ('running' as const)
          : ('pending' as const),
    step: { ...step },
  }));
}

export async function presentInstance(i: InstanceRecord, names: ReleaseNames): Promise<z.infer<typeof instanceView>> {
  const pid = typeof i.handle?.pid === 'number' ? i.handle.pid : null;
  return {
    id: i.id,
    project: i.project,
    service: i.service,
    environment: i.environment,
    release: await names.version(i.releaseId),
    releaseId: i.releaseId,
    deploymentId: i.deploymentId ?? null,
    runtime: i.runtime,
    address: i.address ?? null,
    pid,
    desired: i.desired,
    state: i.state,
    restarts: i.restarts,
    message: i.message ?? null,
    startedAt: i.startedAt.toISOString(),
    stoppedAt: iso(i.stoppedAt),
    retireAt: iso(i.retireAt),
  };
}

export function presentEvent(e: EventRecord): z.infer<typeof eventView> {
  return {
    id: e.id,
    project: e.project ?? null,
    deploymentId: e.deploymentId ?? null,
    service: e.service ?? null,
    environment: e.environment ?? null,
    kind: e.kind,
    message: e.message,
    data: e.data,
    at: e.at.toISOString(),
  };
}

export function presentRelease(r: ReleaseRecord): z.infer<typeof releaseView> {
  return {
    id: r.id,
    project: r.project,
    service: r.service,
    version: r.version,
    command: r.spec.command,
    args: r.spec.args,
    cwd: r.spec.cwd,
    envKeys: Object.keys(r.spec.env).sort(),
    createdAt: r.createdAt.toISOString(),
  };
}
