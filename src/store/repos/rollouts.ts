import {
  activeRolloutStates,
  type RolloutComponent,
  type RolloutRecord,
  type RolloutSettings,
  type RolloutState,
} from '../../model/rollout.js';
import type { Queryable } from '../db.js';
import { StoreError } from '../errors.js';
import { isUniqueViolation } from '../sql-errors.js';
import { optionalDate, optionalText } from './rows.js';

export type { RolloutRecord, RolloutState } from '../../model/rollout.js';

const columns =
  'id, project, environment, version, state, components, reason, requested_by, settings, created_at, updated_at, ' +
  'finished_at, watch_until';

function toRollout(row: Record<string, unknown>): RolloutRecord {
  return {
    id: String(row.id),
    project: String(row.project),
    environment: String(row.environment),
    version: String(row.version),
    state: row.state as RolloutState,
    components: row.components as RolloutComponent[],
    reason: optionalText(row.reason),
    requestedBy: optionalText(row.requested_by),
    settings: (row.settings ?? {}) as RolloutSettings,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    finishedAt: optionalDate(row.finished_at),
    watchUntil: optionalDate(row.watch_until),
  };
}

export type NewRollout = Pick<
  RolloutRecord,
  'id' | 'project' | 'environment' | 'version' | 'components' | 'requestedBy' | 'settings'
>;

/** Is this the unique index that allows one active rollout per environment? */
export function isActiveRolloutConflict(e: unknown): boolean {
  return isUniqueViolation(e, 'rollouts_one_active');
}

/** Record a running rollout; a second active one in the same environment violates `rollouts_one_active`. */
export async function insertRollout(db: Queryable, r: NewRollout): Promise<RolloutRecord> {
  const { rows } = await db.query(
    `insert into rollouts (id, project, environment, version, state, components, requested_by, settings)
     values ($1, $2, $3, $4, 'running', $5, $6, $7) returning ${columns}`,
    [
      r.id,
      r.project,
      r.environment,
      r.version,
      JSON.stringify(r.components),
      r.requestedBy ?? null,
      JSON.stringify(r.settings),
    ],
  );
  return toRollout(rows[0]!);
}

/** One rollout, or undefined. */
export async function getRollout(db: Queryable, id: string): Promise<RolloutRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from rollouts where id = $1`, [id]);
  return rows[0] ? toRollout(rows[0]) : undefined;
}

export interface RolloutFilter {
  project: string;
  environment?: string;
  version?: string;
  limit?: number;
}

/** A project's rollouts, newest first. */
export async function listRollouts(db: Queryable, f: RolloutFilter): Promise<RolloutRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from rollouts
     where project = $1 and ($2::text is null or environment = $2) and ($3::text is null or version = $3)
     order by created_at desc, id desc limit $4`,
    [f.project, f.environment ?? null, f.version ?? null, f.limit ?? 20],
  );
  return rows.map(toRollout);
}

/** The running or rolling-back rollout of an environment. */
export async function activeRollout(
  db: Queryable,
  project: string,
  environment: string,
): Promise<RolloutRecord | undefined> {
  const { rows } = await db.query(
    `select ${columns} from rollouts where project = $1 and environment = $2 and state = any($3::text[]) limit 1`,
    [project, environment, activeRolloutStates],
  );
  return rows[0] ? toRollout(rows[0]) : undefined;
}

/** Rollouts the engine still looks after: moving, or succeeded and still watched as a whole. */
export async function rolloutsToTend(db: Queryable, now: Date): Promise<RolloutRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from rollouts
     where state = any($1::text[]) or (state = 'succeeded' and watch_until > $2)
     order by created_at`,
    [activeRolloutStates, now],
  );
  return rows.map(toRollout);
}

export type RolloutUpdate = Partial<Pick<RolloutRecord, 'state' | 'components' | 'reason' | 'watchUntil'>> & {
  finished?: boolean;
};

/** Change a rollout; only the fields given change. */
export async function updateRollout(db: Queryable, id: string, fields: RolloutUpdate): Promise<RolloutRecord> {
  const { rows } = await db.query(
    `update rollouts set
       state = coalesce($2, state),
       components = coalesce($3::jsonb, components),
       reason = coalesce($4, reason),
       watch_until = coalesce($5, watch_until),
       finished_at = case when $6 then now() else finished_at end,
       updated_at = now()
     where id = $1 returning ${columns}`,
    [
      id,
      fields.state ?? null,
      fields.components ? JSON.stringify(fields.components) : null,
      fields.reason ?? null,
      fields.watchUntil ?? null,
      fields.finished ?? false,
    ],
  );
  if (!rows[0]) throw new StoreError('not_found', `rollout ${id} vanished`);
  return toRollout(rows[0]);
}

/** The newest rollout of each environment of a project, in one query. */
export async function latestRollouts(db: Queryable, project: string): Promise<RolloutRecord[]> {
  const { rows } = await db.query(
    `select distinct on (environment) ${columns} from rollouts where project = $1
     order by environment, created_at desc, id desc`,
    [project],
  );
  return rows.map(toRollout);
}
