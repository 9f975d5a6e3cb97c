import { patchProgress } from '../../store/repos/deployments.js';
import { deploymentEventBase, releaseFor, type StepContext } from '../context.js';
import type { MigrationStepInput } from '../migration-gate.js';

function inputFor(ctx: StepContext, role: 'stable' | 'candidate' = 'candidate'): MigrationStepInput {
  return {
    deployment: ctx.deployment,
    release: releaseFor(ctx, role),
    signal: ctx.signal,
    emit: async (kind, message, data) => {
      await ctx.events.emit({ ...deploymentEventBase(ctx), kind, message, data: data ?? {} });
    },
  };
}

/** Expand: runs before any candidate instance starts; a failure fails the deployment with traffic untouched. */
export async function migrate(ctx: StepContext): Promise<void> {
  if (!ctx.migrations) throw new Error('this deployment carries migrations but the coordinator has no migration gate');
  const applied = await ctx.migrations.expand(inputFor(ctx));
  // Recorded so a rollback can revert exactly these (when configured), even after a restart.
  if (applied.length > 0) await patchProgress(ctx.db, ctx.deployment.id, { migrationsApplied: applied });
}

/** Contract: after promotion; waiting for old releases to go is not a failure. */
export async function contract(ctx: StepContext): Promise<void> {
  if (!ctx.migrations) return;
  await ctx.migrations.contract(inputFor(ctx));
}

/** Rollback: revert the expands this deployment applied, when slipway.yaml asks for it. */
export async function revertMigrations(ctx: StepContext): Promise<void> {
  const applied = ctx.deployment.progress.migrationsApplied;
  if (!ctx.migrations || applied.length === 0) return;
  // A rollback deployment goes from the release that applied them (its down scripts) back to an older one.
  const owner = ctx.deployment.kind === 'rollback' ? 'stable' : 'candidate';
  await ctx.migrations.revert({ ...inputFor(ctx, owner), applied });
}
