import type { ProjectConfig } from '../../config/model.js';
import { readStoredConfig, storedConfigVersion } from '../../config/stored.js';
import type { Queryable } from '../db.js';

export interface ProjectRecord {
  name: string;
  /** The validated config (paths absolute) last applied, upgraded to this version's model when stored by an older one.
   * */
  config: ProjectConfig;
  digest: string;
  createdAt: Date;
  updatedAt: Date;
}

const columns = 'name, config, config_version, digest, created_at, updated_at';

function toProject(row: Record<string, unknown>): ProjectRecord {
  return {
    name: String(row.name),
    config: readStoredConfig(String(row.name), row.config, Number(row.config_version)),
    digest: String(row.digest),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/** Insert or replace a project's config; returns whether it changed. */
export async function upsertProject(
  db: Queryable,
  name: string,
  config: ProjectConfig,
  digest: string,
): Promise<{ project: ProjectRecord; changed: boolean }> {
  const before = await getProject(db, name);
  if (before && before.digest === digest) return { project: before, changed: false };
  const { rows } = await db.query(
    `insert into projects (name, config, config_version, digest) values ($1, $2, $3, $4)
     on conflict (name) do update set config = excluded.config, config_version = excluded.config_version,
       digest = excluded.digest, updated_at = now()
     returning ${columns}`,
    [name, JSON.stringify(config), storedConfigVersion, digest],
  );
  return { project: toProject(rows[0]!), changed: true };
}

/** One project, or undefined. */
export async function getProject(db: Queryable, name: string): Promise<ProjectRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from projects where name = $1`, [name]);
  return rows[0] ? toProject(rows[0]) : undefined;
}

/** Every project, by name. */
export async function listProjects(db: Queryable): Promise<ProjectRecord[]> {
  const { rows } = await db.query(`select ${columns} from projects order by name`);
  return rows.map(toProject);
}

/** Remove a project that has nothing recorded yet (undo of a first apply that the data plane refused). */
export async function deleteProject(db: Queryable, name: string): Promise<void> {
  await db.query(`delete from projects where name = $1`, [name]);
}

/** Put a project's earlier config back as it was (undo of an apply the data plane refused). */
export async function restoreProject(db: Queryable, p: ProjectRecord): Promise<void> {
  await db.query(`update projects set config = $2, config_version = $3, digest = $4, updated_at = $5 where name = $1`, [
    p.name,
    JSON.stringify(p.config),
    storedConfigVersion,
    p.digest,
    p.updatedAt,
  ]);
}
