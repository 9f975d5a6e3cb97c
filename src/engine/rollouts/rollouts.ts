/**
 * Runs rollouts: admits a release of the project, then moves it on whenever one of its component
 * deployments finishes (and on the engine's periodic tick, so nothing depends on a missed call).
 * It holds no state the store does not have: a restarted coordinator tends the same rollouts again.
 */
import type { DeploymentRecord } from '../../model/deployment.js';
import { isRolloutActive, type RolloutRecord } from '../../model/rollout.js';
import { messageOf } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { isActiveRolloutConflict, getRollout, insertRollout, rolloutsToTend } from '../../store/repos/rollouts.js';
import type { EngineDeps } from '../context.js';
import type { DeployRequest } from '../deployments.js';
import { projectConfig } from '../deployments.js';
import { EngineError } from '../errors.js';
import type { RollbackRequest } from '../rollback.js';
import { admitRelease, type ReleaseRequest } from './admission.js';
import { applyRolloutStep } from './apply-step.js';
import { rolloutFacts } from './facts.js';
import { nextRolloutStep } from './next-step.js';

/** How a rollout moves its components: the engine's own deploy, abort and rollback. */
export interface ComponentMoves {
  deploy(req: DeployRequest): Promise<DeploymentRecord>;
  abort(id: string, reason: string, by?: string): Promise<DeploymentRecord>;
  rollback(req: RollbackRequest): Promise<{ deployment: DeploymentRecord }>;
}

export class Rollouts {
  /** Per rollout, the advance in progress and whether another was asked for meanwhile. */
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  private closed = false;

  constructor(
    private readonly deps: EngineDeps,
    private readonly moves: ComponentMoves,
  ) {}

  /** `slipway release VERSION --env E`: admit the release as a whole, record it, start its first level. */
  async release(req: ReleaseRequest): Promise<RolloutRecord> {
    const config = await projectConfig(this.deps, req.project);
    const components = await admitRelease(this.deps, config, req);
    let rollout: RolloutRecord;
    try {
      rollout = await insertRollout(this.deps.db, {
        id: newId('rol'),
        project: req.project,
        environment: req.environment,
        version: req.version,
        components,
        requestedBy: req.requestedBy,
        settings: req.emergency ? { emergency: req.emergency } : {},
      });
    } catch (e) {
      if (!isActiveRolloutConflict(e)) throw e;
      throw new EngineError('conflict', `another release is already rolling out in ${req.environment}; wait for it`);
    }
    const levels = Math.max(...components.map((c) => c.level)) + 1;
    await this.deps.events.emit({
      project: rollout.project,
      environment: rollout.environment,
      kind: 'rollout.started',
      message:
        `release ${rollout.version} rolling out to ${rollout.environment}` +
        `${req.requestedBy ? `, requested by ${req.requestedBy}` : ''}: ` +
        `${components.map((c) => `${c.service}${c.phase === 'unchanged' ? ' (unchanged)' : ''}`).join(', ')} in ` +
        `${levels} level${levels === 1 ? '' : 's'}`,
      data: { rollout: rollout.id, version: rollout.version, components },
    });
    await this.advance(rollout.id);
    return (await getRollout(this.deps.db, rollout.id)) ?? rollout;
  }

  /** Roll the whole release back (a person asked): what moved goes back in reverse order. */
  async rollBack(id: string, by?: string): Promise<RolloutRecord> {
    const r = await getRollout(this.deps.db, id);
    if (!r) throw new EngineError('not_found', `no rollout ${id}`);
    if (r.state === 'rolling_back') return r;
    if (r.state !== 'running' && r.state !== 'succeeded')
      throw new EngineError(
        'conflict',
        `release ${r.version} in ${r.environment} already ended (${r.state.replace('_', ' ')})`,
      );
    await applyRolloutStep(this.deps, this.moves, r, {
      kind: 'roll_back',
      reason: `rollback of the release requested${by ? ` by ${by}` : ''}`,
    });
    await this.advance(id);
    return (await getRollout(this.deps.db, id))!;
  }

  /**
   * Decide and act until the rollout waits for a deployment or ends. Calls for the same rollout run
   * one at a time; a call that arrives meanwhile makes the running one look again.
   */
  advance(id: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const current = this.running.get(id);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: true, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.again) {
          entry.again = false;
          await this.step(id);
        }
      } catch (e) {
        this.deps.logger.error({ rollout: id, err: messageOf(e) }, 'could not move the rollout on');
      } finally {
        this.running.delete(id);
      }
    })();
    this.running.set(id, entry);
    return entry.done;
  }

  /** Wait for the advances in progress (the engine is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()].map((e) => e.done));
  }

  /** Look at every rollout still tended (moving, or succeeded and watched), optionally of one environment. */
  async tend(project?: string, environment?: string): Promise<void> {
    // Called without waiting from the engine's hooks: it never rejects (an unhandled rejection would end the
    // coordinator). A store that does not answer now is logged; the next tick tends again.
    try {
      const now = new Date(this.deps.clock.now());
      for (const r of await rolloutsToTend(this.deps.db, now)) {
        if (project && (r.project !== project || r.environment !== environment)) continue;
        await this.advance(r.id);
      }
    } catch (e) {
      this.deps.logger.warn({ err: messageOf(e) }, 'could not look at the rollouts; the next tick tries again');
    }
  }

  private async step(id: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const r = await getRollout(this.deps.db, id);
      if (!r || (!isRolloutActive(r) && r.state !== 'succeeded')) return;
      const facts = await rolloutFacts(this.deps.db, r);
      const action = nextRolloutStep(r, facts);
      const moved = await applyRolloutStep(this.deps, this.moves, r, action, facts);
      if (!moved) return;
    }
    throw new Error(`rollout ${id} did not settle after 100 steps (a bug in next-step.ts)`);
  }
}
