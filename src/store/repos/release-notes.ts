import type { Queryable } from '../db.js';
import { optionalText } from './rows.js';

/** Release notes stored with a release: what changed since the release it replaced. */
export interface StoredReleaseNotes {
  project: string;
  service: string;
  version: string;
  fromVersion?: string;
  notes: unknown;
  markdown: string;
  createdAt: Date;
}

function toNotes(r: Record<string, unknown>): StoredReleaseNotes {
  return {
    project: String(r.project),
    service: String(r.service),
    version: String(r.version),
    fromVersion: optionalText(r.from_version),
    notes: r.notes,
    markdown: String(r.markdown),
    createdAt: r.created_at as Date,
  };
}

/** Store (or replace: a later deployment may replace another stable release) a release's notes. */
export async function saveReleaseNotes(
  db: Queryable,
  n: Omit<StoredReleaseNotes, 'createdAt'>,
): Promise<StoredReleaseNotes> {
  const { rows } = await db.query<Record<string, unknown>>(
    `insert into release_notes (project, service, version, from_version, notes, markdown)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (project, service, version) do update set from_version = excluded.from_version, notes = excluded.notes,
       markdown = excluded.markdown, created_at = now()
     returning project, service, version, from_version, notes, markdown, created_at`,
    [n.project, n.service, n.version, n.fromVersion ?? null, JSON.stringify(n.notes), n.markdown],
  );
  return toNotes(rows[0]!);
}

export async function getReleaseNotes(
  db: Queryable,
  k: { project: string; service: string; version: string },
): Promise<StoredReleaseNotes | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select project, service, version, from_version, notes, markdown, created_at from release_notes
      where project = $1 and service = $2 and version = $3`,
    [k.project, k.service, k.version],
  );
  return rows[0] ? toNotes(rows[0]) : undefined;
}
