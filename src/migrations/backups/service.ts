/**
 * The backups of one project's databases as the coordinator offers them: listed per environment,
 * restored to "the state before release V". A restore is refused while the database service is
 * being deployed, and — unless forced — while the release whose migrations it undoes is the
 * live one (its code expects the migrated schema) or when rows written since would be lost.
 */
import type { ProjectConfig } from '../../config/model.js';
import type { NewEvent } from '../../store/repos/events.js';
import type { Db } from '../../store/db.js';
import { activeDeployment } from '../../store/repos/deployments.js';
import { getProject } from '../../store/repos/projects.js';
import { getRelease } from '../../store/repos/releases.js';
import { getServiceState } from '../../store/repos/service-state.js';
import { databaseUrlFor } from '../database.js';
import { MigrationError } from '../errors.js';
import { backupDir, listManifests, type BackupManifest } from './manifest.js';
import { restoreBackup, type RestoreResult } from './restore.js';
import { backupSettings } from './settings.js';

export interface RestoreRequest {
  project: string;
  environment: string;
  /** Restore the newest backup taken before this release's migrations… */
  release?: string;
  /** …or this one. */
  backup?: string;
  force: boolean;
  by?: string;
}

export interface Restored extends RestoreResult {
  backup: BackupManifest;
}

export class DatabaseBackups {
  constructor(
    private readonly db: Db,
    private readonly events: { emit(event: NewEvent): Promise<unknown> },
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** An environment's backups, newest first; [] when backups are off or none was taken yet. */
  async list(project: string, environment: string): Promise<BackupManifest[]> {
    const { config } = await this.target(project, environment);
    const settings = backupSettings(config);
    if (settings === false) return [];
    return listManifests(backupDir(settings.dir, project, environment));
  }

  async restore(r: RestoreRequest): Promise<Restored> {
    const { config, service } = await this.target(r.project, r.environment);
    const settings = backupSettings(config);
    if (settings === false) {
      throw new MigrationError('conflict', `database.backups is false for ${r.project}: there is nothing to restore`);
    }
    const dir = backupDir(settings.dir, r.project, r.environment);
    const all = listManifests(dir);
    const backup = r.backup ? all.find((m) => m.id === r.backup) : all.find((m) => m.release === r.release);
    if (!backup) {
      const what = r.backup ? `backup ${r.backup}` : `a backup taken before the migrations of ${r.release}`;
      const have = all.map((m) => `${m.id} (before ${m.release})`).join(', ') || 'none';
      throw new MigrationError('not_found', `${r.environment} has no ${what}; backups: ${have}`);
    }
    const busy = await activeDeployment(this.db, r.project, service, r.environment);
    if (busy) {
      throw new MigrationError(
        'conflict',
        `${service} is being deployed to ${r.environment} (deployment ${busy.id}, ${busy.state}); restore once it ` +
          `has finished`,
      );
    }
    const stable = await this.stableVersion(r.project, service, r.environment);
    if (stable === backup.release && !r.force) {
      throw new MigrationError(
        'conflict',
        `${backup.release} is the live release of ${service} in ${r.environment} and its code expects the schema its ` +
          `migrations made: roll back first (slipway rollback ${service} --env ${r.environment}), or pass --force`,
      );
    }
    const url = databaseUrlFor(config, r.environment, this.env);
    const result = await restoreBackup(url, dir, backup, { force: r.force });
    await this.events.emit({
      project: r.project,
      environment: r.environment,
      service,
      kind: 'database.restored',
      message:
        `${backup.database} restored to the state before ${backup.release} (backup ${backup.id}, ` +
        `${result.durationMs} ms)` +
        `${result.discarded.total > 0 ? `; ${result.discarded.total} later rows discarded` : ''}` +
        `${r.by ? ` by ${r.by}` : ''}`,
      data: {
        backup: backup.id,
        release: backup.release,
        durationMs: result.durationMs,
        discarded: result.discarded.total,
        forced: r.force,
      },
    });
    return { ...result, backup };
  }

  private async target(project: string, environment: string): Promise<{ config: ProjectConfig; service: string }> {
    const record = await getProject(this.db, project);
    if (!record) throw new MigrationError('not_found', `no project ${project}`);
    const config = record.config;
    if (!config.environments.some((e) => e.name === environment)) {
      const names = config.environments.map((e) => e.name).join(', ');
      throw new MigrationError('not_found', `project ${project} has no environment ${environment} (it has ${names})`);
    }
    if (!config.database) throw new MigrationError('not_found', `project ${project} has no database section`);
    return { config, service: config.database.service };
  }

  private async stableVersion(project: string, service: string, environment: string): Promise<string | undefined> {
    const state = await getServiceState(this.db, project, environment, service);
    return state?.stableRelease ? (await getRelease(this.db, state.stableRelease))?.version : undefined;
  }
}
