import type { ReleaseSpec } from '../../config/model.js';
import type { Queryable } from '../db.js';

export type { ReleaseSpec };

export interface ReleaseRecord {
  id: string;
  project: string;
  service: string;
  version: string;
  spec: ReleaseSpec;
  digest: string;
  createdAt: Date;
}

const columns = 'id, project, service, version, spec, digest, created_at';

function toRelease(row: Record<string, unknown>): ReleaseRecord {
  return {
    id: String(row.id),
    project: String(row.project),
    service: String(row.service),
    version: String(row.version),
    spec: row.spec as ReleaseSpec,
    digest: String(row.digest),
    createdAt: row.created_at as Date,
  };
}

/** Insert a release unless one with this service and version exists; returns the stored one. */
export async function insertReleaseIfAbsent(
  db: Queryable,
  release: Omit<ReleaseRecord, 'createdAt'>,
): Promise<ReleaseRecord> {
  // Inserted or found in one statement (every deployment asks: two statements were two commits). A release inserted
  // by another transaction that committed after this statement's snapshot is not in it: read again then.
  const { rows } = await db.query(
    `with inserted as (
       insert into releases (id, project, service, version, spec, digest) values ($1, $2, $3, $4, $5, $6)
       on conflict (project, service, version) do nothing
       returning ${columns}
     )
     select ${columns} from inserted
     union all
     select ${columns} from releases
      where project = $2 and service = $3 and version = $4 and not exists (select 1 from inserted)`,
    [release.id, release.project, release.service, release.version, JSON.stringify(release.spec), release.digest],
  );
  if (rows[0]) return toRelease(rows[0]);
  const stored = await getReleaseByVersion(db, release.project, release.service, release.version);
  return stored!;
}

/** A release by id. */
export async function getRelease(db: Queryable, id: string): Promise<ReleaseRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from releases where id = $1`, [id]);
  return rows[0] ? toRelease(rows[0]) : undefined;
}

/** Several releases by id in one query (pages that name many, such as a project's status). */
export async function getReleases(db: Queryable, ids: readonly string[]): Promise<ReleaseRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query(`select ${columns} from releases where id = any($1::text[])`, [[...new Set(ids)]]);
  return rows.map(toRelease);
}

/** The versions of releases by id, in one query (route tables name releases by version). */
export async function getReleaseVersions(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query(`select id, version from releases where id = any($1::text[])`, [[...new Set(ids)]]);
  return new Map(rows.map((r) => [String(r.id), String(r.version)]));
}

/** A release by service and version. */
export async function getReleaseByVersion(
  db: Queryable,
  project: string,
  service: string,
  version: string,
): Promise<ReleaseRecord | undefined> {
  const { rows } = await db.query(
    `select ${columns} from releases where project = $1 and service = $2 and version = $3`,
    [project, service, version],
  );
  return rows[0] ? toRelease(rows[0]) : undefined;
}

/** Releases of a project (optionally one service), newest first. */
export async function listReleases(
  db: Queryable,
  project: string,
  service?: string,
  limit = 100,
): Promise<ReleaseRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from releases where project = $1 and ($2::text is null or service = $2) order by created_at ` +
      `desc, id desc limit $3`,
    [project, service ?? null, limit],
  );
  return rows.map(toRelease);
}
