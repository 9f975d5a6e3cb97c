/**
 * The migration side of a deployment (engine/migration-gate.ts): expand before the release
 * starts, contract once no live release needs the old schema, revert on rollback when asked.
 */
import type { DatabaseConfig, ProjectConfig } from '../../config/model.js';
import type { MigrationGate, MigrationStepInput } from '../../engine/migration-gate.js';
import type { Db } from '../../store/db.js';
import { activeDeployment } from '../../store/repos/deployments.js';
import { listEvents, type NewEvent } from '../../store/repos/events.js';
import { getProject, listProjects } from '../../store/repos/projects.js';
import { getRelease } from '../../store/repos/releases.js';
import { listServiceStates } from '../../store/repos/service-state.js';
import type { Logger } from '../../shared/logging.js';
import { messageOf } from '../../shared/errors.js';
import {
  applySettings,
  databaseUrlFor,
  environmentsSharingDatabase,
  migrationsDirFor,
  runnerTimeouts,
} from '../database.js';
import { MigrationError } from '../errors.js';
import { loadMigrations } from '../files.js';
import { downLosesData } from '../down-scripts.js';
import { loadParser } from '../linter/parse.js';
import { preflight } from '../preflight.js';
import { applyMigrations } from '../runner/apply.js';
import type { RunnerEvent } from '../runner/events.js';
import { rollbackMigrations } from '../runner/rollback.js';
import { lastApplied, migrationStatus } from '../runner/status.js';
import type { Migration } from '../types.js';
import { contractBlockers, describeBlockers } from './blockers.js';
import { liveReleases } from './live-releases.js';
import { afterMigrations, beforeMigrations } from './safety.js';
import { backupSettings } from '../backups/settings.js';
import { backupDir, listManifests } from '../backups/manifest.js';

type Emit = MigrationStepInput['emit'];

interface Target {
  config: ProjectConfig;
  database: DatabaseConfig;
  url: string;
  migrations: Migration[];
  appliedThrough: number;
}

/** Contract migrations wait here (project/environment → the release that ships them) until unblocked. */
interface Waiting {
  project: string;
  environment: string;
  version: string;
}

/** Runner events into the deployment's timeline, as `migration.<type>` events. */
function forwardTo(emit: Emit): (e: RunnerEvent) => void {
  return (e) =>
    void emit(`migration.${e.type}`, e.message, {
      ...(e.migration ? { migration: e.migration } : {}),
      ...(e.durationMs === undefined ? {} : { durationMs: e.durationMs }),
    });
}

export class MigrationSequencer implements MigrationGate {
  private readonly waiting = new Map<string, Waiting>();
  private scannedAfterStart = false;
  private sweeping = false;

  constructor(
    private readonly db: Db,
    private readonly events: { emit(event: NewEvent): Promise<unknown> },
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async expand(input: MigrationStepInput): Promise<string[]> {
    const { deployment: d, release, emit } = input;
    const target = await this.target(d.project, d.environment, release.version);
    const started = Date.now();
    const pre = await preflight(target.migrations, target.appliedThrough, { lockTimeoutSet: true });
    if (pre.problems.length > 0) {
      throw new MigrationError(
        'failed',
        `the migrations of ${release.version} cannot run, so no instance of it was started:\n  ` +
          `${pre.problems.join('\n  ')}`,
        {
          problems: pre.problems,
        },
      );
    }
    let runnable = pre.runnable;
    const lastExpand = pre.pending.map((m) => m.phase !== 'contract').lastIndexOf(true);
    if (lastExpand >= pre.runnable.length) {
      // An expand queued behind a contract: this release needs it, so the contracts before it go
      // first — allowed only when no live release still needs what they remove.
      const live = await liveReleases(
        this.db,
        d.project,
        target.database.service,
        environmentsSharingDatabase(target.config, d.environment, this.env),
      );
      for (const contract of pre.pending.slice(pre.runnable.length, lastExpand).filter((m) => m.phase === 'contract')) {
        const blockers = contractBlockers(contract, release.version, live);
        if (blockers.length > 0) {
          throw new MigrationError(
            'conflict',
            `${pre.pending[lastExpand]!.id} comes after contract migration ${contract.id}, which waits for ` +
              `${describeBlockers(blockers)} to stop; stop those, or number the expand before the contract`,
          );
        }
      }
      runnable = pre.pending.slice(0, lastExpand + 1);
    }
    await emit(
      'migration.checked',
      `${pre.pending.length} pending migration${pre.pending.length === 1 ? '' : 's'} linted and dry-run on a shadow ` +
        `database in ${Date.now() - started} ms`,
      {
        pending: pre.pending.map((m) => m.id),
        dryRunMs: pre.dryRun?.totalMs,
      },
    );
    const where = {
      project: d.project,
      environment: d.environment,
      version: release.version,
      url: target.url,
      database: target.database,
      backups: backupSettings(target.config),
      emit,
    };
    if (runnable.length === 0) return this.verifyInterrupted(d.id, where, target.database.statementTimeoutMs);
    const before = await beforeMigrations(where, runnable, target.appliedThrough);
    const result = await applyMigrations({
      url: target.url,
      migrations: target.migrations,
      target: runnable.at(-1)!.version,
      ...applySettings(target.database),
      release: release.version,
      onEvent: forwardTo(emit),
    });
    await afterMigrations(where, before, target.database.statementTimeoutMs);
    return result.applied;
  }

  /**
   * Nothing left to apply, but this deployment had started its migrations (a coordinator that crashed, or lost
   * its lease, between applying them and checking the data): run the integrity checks now, so a resumed
   * deployment never skips them. Returns the migrations it had applied, for a revert on rollback.
   */
  private async verifyInterrupted(
    deploymentId: string,
    where: Parameters<typeof afterMigrations>[0],
    statementTimeoutMs: number,
  ): Promise<string[]> {
    const events = await listEvents(this.db, { deploymentId, limit: 10_000 });
    const started = events.some((e) => e.kind === 'migration.backup' || e.kind === 'migration.migration-applied');
    const checked = events.some((e) => e.kind === 'migration.verified' || e.kind === 'migration.integrity.failed');
    const applied = events.flatMap((e) =>
      e.kind === 'migration.migration-applied' && typeof e.data.migration === 'string' ? [e.data.migration] : [],
    );
    if (!started) return [];
    // Checked already, but the step stopped before it recorded what it applied (its write refused while the lease had
    // lapsed, seen in CI): those are still this deployment's, and a rollback with revertOnRollback reverts them.
    if (checked) return applied;
    const backup = events.findLast((e) => e.kind === 'migration.backup')?.data.backup;
    const manifest =
      typeof backup === 'string' && where.backups
        ? listManifests(backupDir(where.backups.dir, where.project, where.environment)).find((m) => m.id === backup)
        : undefined;
    await afterMigrations(
      where,
      { ...(manifest ? { backup: manifest } : {}), tables: [], rows: {} },
      statementTimeoutMs,
    );
    return applied;
  }

  async contract(input: MigrationStepInput): Promise<void> {
    const { deployment: d, release, emit } = input;
    await this.tryContracts({ project: d.project, environment: d.environment, version: release.version }, emit, true);
  }

  async revert(input: MigrationStepInput & { applied: string[] }): Promise<void> {
    const { deployment: d, release, emit, applied } = input;
    const target = await this.target(d.project, d.environment, release.version);
    const ours = target.migrations.filter((m) => applied.includes(m.id));
    const lowest = Math.min(...ours.map((m) => m.version));
    const above = target.migrations.filter((m) => m.version >= lowest && m.version <= target.appliedThrough);
    await loadParser();
    // Only downs that lose nothing run by themselves; anything else stays and is said so.
    const unsafe = above.filter((m) => m.down === null || downLosesData(m));
    if (unsafe.length > 0 || above.some((m) => !applied.includes(m.id))) {
      await emit(
        'migration.kept',
        `expand migrations ${applied.join(', ')} stay: ` +
          (unsafe.length > 0
            ? `the down script of ${unsafe.map((m) => m.id).join(', ')} would lose data or is missing`
            : 'later migrations were applied on top of them') +
          '; they are backward-compatible, so the previous release runs on them',
        { applied },
      );
      return;
    }
    await rollbackMigrations({
      url: target.url,
      migrations: target.migrations,
      to: lowest - 1,
      ...runnerTimeouts(target.database),
      onEvent: forwardTo(emit),
    });
    await emit('migration.reverted', `reverted expand migrations ${applied.join(', ')} (database.revertOnRollback)`, {
      applied,
    });
  }

  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      if (!this.scannedAfterStart) await this.scanStableReleases();
      for (const [key, waiting] of this.waiting) {
        // A deployment of the service in flight decides for itself (its contract step), and its expand may have
        // applied migrations the stable release's files do not know: read against those, that would look like drift.
        if (await this.deploymentInFlight(waiting)) continue;
        const still = await this.stableVersion(waiting.project, waiting.environment);
        if (still !== waiting.version) {
          this.waiting.delete(key); // a newer deployment took over; its contract step decides
          continue;
        }
        await this.tryContracts(waiting, this.systemEmit(waiting), false);
      }
    } catch (e) {
      this.logger.warn({ err: messageOf(e) }, 'contract sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Apply the pending contracts of a stable release that nothing live still needs. `announce`: say why a contract
   * waits even when the sweep already knew (the deployment's own step must put it in its timeline; a sweep that
   * found the release first, e.g. right after a coordinator start, must not keep it out).
   */
  private async tryContracts(w: Waiting, emit: Emit, announce: boolean): Promise<void> {
    const key = `${w.project}\u0000${w.environment}`;
    try {
      const target = await this.target(w.project, w.environment, w.version);
      const pending = target.migrations.filter((m) => m.version > target.appliedThrough);
      if (pending.length === 0) {
        this.waiting.delete(key);
        return;
      }
      const live = await liveReleases(
        this.db,
        w.project,
        target.database.service,
        environmentsSharingDatabase(target.config, w.environment, this.env),
      );
      let through = target.appliedThrough;
      for (const m of pending) {
        const blockers = m.phase === 'contract' ? contractBlockers(m, w.version, live) : [];
        if (blockers.length > 0) {
          if (announce || !this.waiting.has(key)) {
            await emit(
              'migration.contract.waiting',
              `contract migration ${m.id} waits: ${describeBlockers(blockers)} still live and may need the old ` +
                `schema; it runs once they are gone`,
              {
                migration: m.id,
                blockers,
              },
            );
          }
          this.waiting.set(key, w);
          break;
        }
        through = m.version;
      }
      if (through === target.appliedThrough) return;
      const pre = await preflight(
        target.migrations.filter((m) => m.version <= through),
        target.appliedThrough,
        { lockTimeoutSet: true },
      );
      if (pre.problems.length > 0) {
        await emit('migration.contract.failed', `contract migrations not applied:\n  ${pre.problems.join('\n  ')}`, {
          problems: pre.problems,
        });
        this.waiting.delete(key);
        return;
      }
      await applyMigrations({
        url: target.url,
        migrations: target.migrations,
        target: through,
        ...applySettings(target.database),
        release: w.version,
        onEvent: forwardTo(emit),
      });
      if (through === pending.at(-1)!.version) this.waiting.delete(key);
    } catch (e) {
      // The release is live and healthy; a contract that cannot run now is reported, not rolled back.
      await emit('migration.contract.failed', `contract migrations not applied: ${messageOf(e)}`, {});
      this.waiting.delete(key);
    }
  }

  private async scanStableReleases(): Promise<void> {
    this.scannedAfterStart = true;
    for (const project of await listProjects(this.db)) {
      const database = project.config.database;
      if (!database) continue;
      for (const state of await listServiceStates(this.db, project.name)) {
        if (state.service !== database.service || !state.stableRelease) continue;
        const release = await getRelease(this.db, state.stableRelease);
        if (release)
          this.waiting.set(`${project.name}\u0000${state.environment}`, {
            project: project.name,
            environment: state.environment,
            version: release.version,
          });
      }
    }
  }

  private async deploymentInFlight(w: Waiting): Promise<boolean> {
    const service = (await this.config(w.project)).database?.service;
    return service !== undefined && (await activeDeployment(this.db, w.project, service, w.environment)) !== undefined;
  }

  private async stableVersion(project: string, environment: string): Promise<string | undefined> {
    const config = await this.config(project);
    const state = (await listServiceStates(this.db, project)).find(
      (s) => s.environment === environment && s.service === config.database?.service,
    );
    return state?.stableRelease ? (await getRelease(this.db, state.stableRelease))?.version : undefined;
  }

  private systemEmit(w: Waiting): Emit {
    return async (kind, message, data) => {
      await this.events.emit({ project: w.project, environment: w.environment, kind, message, data: data ?? {} });
    };
  }

  private async target(project: string, environment: string, version: string): Promise<Target> {
    const config = await this.config(project);
    if (!config.database) throw new MigrationError('invalid_input', `project ${project} has no database section`);
    const database = config.database;
    const migrations = loadMigrations(migrationsDirFor(database, version));
    const url = databaseUrlFor(config, environment, this.env);
    const status = await migrationStatus({ url, migrations });
    const wrong = status.filter(
      (row) => row.state === 'drift' || row.state === 'missing-file' || row.state === 'partial',
    );
    if (wrong.some((row) => row.state !== 'partial')) {
      throw new MigrationError(
        'conflict',
        `the database does not match the migration files of ${version}: ` +
          `${wrong.map((row) => `${row.id} ${row.state}`).join(', ')}`,
      );
    }
    return { config, database, url, migrations, appliedThrough: lastApplied(status) };
  }

  private async config(project: string): Promise<ProjectConfig> {
    const record = await getProject(this.db, project);
    if (!record) throw new MigrationError('not_found', `no project ${project}`);
    return record.config;
  }
}
