import path from 'node:path';
import type { DatabaseBackups, ProjectConfig } from '../../config/model.js';

/** database.backups as configured, or its defaults when the stored config predates it. */
export function backupSettings(config: Pick<ProjectConfig, 'database' | 'dataDir'>): DatabaseBackups | false {
  const configured = config.database?.backups;
  if (configured !== undefined) return configured;
  return { dir: path.join(config.dataDir, 'backups'), keep: 10, scope: 'database' };
}
