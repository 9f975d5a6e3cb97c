import type { CanaryStrategy } from '../../config/model.js';
import { getDeployment, patchProgress, setControl } from '../../store/repos/deployments.js';
import { deploymentEventBase, type StepContext } from '../context.js';
import { EngineError } from '../errors.js';

/**
 * An analyze step is a gate: hold for `forMs` (longer while the deployment is paused), then ask
 * the judge for a final verdict over this step's window. Pass → go on; fail → roll back;
 * inconclusive → tolerated up to inconclusiveLimit, then pause for a human or roll back. The
 * continuous watch may roll the canary back at any moment meanwhile.
 */
export async function analyze(ctx: StepContext, step: { forMs: number }): Promise<void> {
  const canary = ctx.canary;
  if (!canary) throw new Error('analyze step without a canary watch');
  let d = ctx.deployment;
  const from = d.stepStartedAt?.getTime() ?? ctx.clock.now();
  for (;;) {
    // The deployment's own state, in its lane: the first statement after each wait, which the engine's clock announced
    // (announcing-clock.ts), so the store's background gives way to it rather than to something after it.
    d = (await getDeployment(ctx.db.deployment(), d.id)) ?? d;
    if (d.control.kind === 'promote' || d.control.kind === 'abort') return; // the executor acts on these next
    const left = from + step.forMs - ctx.clock.now();
    if (left <= 0 && d.control.kind !== 'pause') break;
    await ctx.clock.sleep(Math.max(50, Math.min(left > 0 ? left : 250, 1000)), ctx.signal);
  }
  const session = await canary.session(d);
  const { verdict } = await session.look(from, ctx.clock.now(), await canary.availability(d), true, ctx.signal);
  await canary.record(d, verdict, true);
  if (verdict.outcome === 'pass') return;
  if (verdict.outcome === 'fail')
    throw new EngineError('failed', `canary analysis failed: ${verdict.reason}`, { verdict: verdict.reason });

  const analysis = (d.settings.strategyConfig as CanaryStrategy).analysis;
  const count = d.progress.inconclusive + 1;
  ctx.deployment = await patchProgress(ctx.db, d.id, { inconclusive: count });
  if (count <= analysis.inconclusiveLimit) return;
  const why =
    `canary analysis inconclusive ${count} time${count === 1 ? '' : 's'} (inconclusiveLimit ` +
    `${analysis.inconclusiveLimit}): ${verdict.reason}`;
  if (analysis.onInconclusive === 'rollback') throw new EngineError('failed', why);
  // Paused for a person, unless a request came first (that request decides instead).
  const paused = await setControl(
    ctx.db,
    d.id,
    { kind: 'pause', reason: `${why}; run slipway promote, resume or abort`, at: ctx.clock.now() },
    ['none', 'resume'],
  );
  if (!paused) return;
  ctx.deployment = paused;
  await ctx.events.emit({
    ...deploymentEventBase(ctx),
    kind: 'deployment.paused',
    message: `paused: ${why}`,
    data: { reason: why },
  });
}
