/**
 * What the engine needs from the migrations module, as an interface (the engine never imports
 * an adapter): app/ supplies the implementation that lints, dry-runs and applies.
 */
import type { DeploymentRecord } from '../model/deployment.js';
import type { ReleaseRecord } from '../store/repos/releases.js';

export interface MigrationStepInput {
  deployment: DeploymentRecord;
  /** The release being deployed (candidate). */
  release: ReleaseRecord;
  /** Record one migration event in the deployment's timeline. */
  emit(kind: string, message: string, data?: Record<string, unknown>): Promise<void>;
  signal: AbortSignal;
}

export interface MigrationGate {
  /**
   * Before any candidate instance starts: lint and shadow-dry-run the release's pending
   * migrations, refuse breaking ones that are not split into expand/contract, then apply the
   * expand migrations. Throws (and the deployment fails with traffic untouched) on any problem.
   * Returns the ids it applied, so a rollback can revert them when configured.
   */
  expand(input: MigrationStepInput): Promise<string[]>;
  /**
   * After the release is stable: apply its contract migrations that no live release still
   * needs; the others wait and are retried by `sweep`. Never fails the deployment for waiting.
   */
  contract(input: MigrationStepInput): Promise<void>;
  /** On rollback, when configured: run the down scripts of the expands this deployment applied, when safe. */
  revert(input: MigrationStepInput & { applied: string[] }): Promise<void>;
  /** Periodic: apply waiting contract migrations whose blocking releases are gone. */
  sweep(): Promise<void>;
}
