import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

/** An Alertmanager matcher (src/observe/alerts/matchers.ts). */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface SilenceRecord {
  id: string;
  project: string;
  environment: string;
  matchers: Matcher[];
  comment: string;
  createdBy: string;
  startsAt: Date;
  endsAt: Date;
  expiredAt?: Date;
  expiredBy?: string;
}

const columns = 'id, project, environment, matchers, comment, created_by, starts_at, ends_at, expired_at, expired_by';

function toSilence(row: Record<string, unknown>): SilenceRecord {
  const expiredAt = optionalDate(row.expired_at);
  const expiredBy = optionalText(row.expired_by);
  return {
    id: String(row.id),
    project: String(row.project),
    environment: String(row.environment),
    matchers: row.matchers as Matcher[],
    comment: String(row.comment),
    createdBy: String(row.created_by),
    startsAt: row.starts_at as Date,
    endsAt: row.ends_at as Date,
    ...(expiredAt ? { expiredAt } : {}),
    ...(expiredBy ? { expiredBy } : {}),
  };
}

export async function insertSilence(db: Queryable, s: Omit<SilenceRecord, 'expiredAt' | 'expiredBy'>) {
  const { rows } = await db.query(
    `insert into silences (id, project, environment, matchers, comment, created_by, starts_at, ends_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${columns}`,
    [s.id, s.project, s.environment, JSON.stringify(s.matchers), s.comment, s.createdBy, s.startsAt, s.endsAt],
  );
  return toSilence(rows[0]!);
}

export async function getSilence(db: Queryable, id: string): Promise<SilenceRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from silences where id = $1`, [id]);
  return rows[0] ? toSilence(rows[0]) : undefined;
}

/** Silences of a project (one environment's when given), newest first; only unexpired ones unless `all`. */
export async function listSilences(
  db: Queryable,
  f: { project: string; environment?: string; all?: boolean },
): Promise<SilenceRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from silences where project = $1 and ($2::text is null or environment = $2)
       and ($3 or expired_at is null) order by starts_at desc, id limit 500`,
    [f.project, f.environment ?? null, f.all ?? false],
  );
  return rows.map(toSilence);
}

/** Record a silence's end (compare-and-set: only the first ending wins); the record, or undefined when it had ended. */
export async function markSilenceExpired(
  db: Queryable,
  id: string,
  at: Date,
  by?: string,
): Promise<SilenceRecord | undefined> {
  const { rows } = await db.query(
    `update silences set expired_at = $2, expired_by = $3, ends_at = least(ends_at, greatest($2, starts_at +
       interval '1 millisecond'))
     where id = $1 and expired_at is null returning ${columns}`,
    [id, at, by ?? null],
  );
  return rows[0] ? toSilence(rows[0]) : undefined;
}
