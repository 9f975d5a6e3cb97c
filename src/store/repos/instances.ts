import type { InstanceHandle, InstanceSpec } from '../../model/instance.js';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

/** What the engine wants of an instance: serve (running), stay up unrouted (warm), or be gone (stopped). */
export type DesiredState = 'running' | 'warm' | 'stopped';

export interface InstanceRecord {
  id: string;
  project: string;
  service: string;
  environment: string;
  releaseId: string;
  deploymentId?: string;
  runtime: string;
  handle?: InstanceHandle;
  spec: InstanceSpec;
  address?: string;
  desired: DesiredState;
  /** Last state the runtime reported (see InstanceState). */
  state: string;
  restarts: number;
  message?: string;
  retireAt?: Date;
  startedAt: Date;
  stoppedAt?: Date;
  updatedAt: Date;
}

const columns =
  'id, project, service, environment, release_id, deployment_id, runtime, handle, spec, address, desired, state, ' +
  'restarts, message, retire_at, started_at, stopped_at, updated_at';

function toInstance(row: Record<string, unknown>): InstanceRecord {
  return {
    id: String(row.id),
    project: String(row.project),
    service: String(row.service),
    environment: String(row.environment),
    releaseId: String(row.release_id),
    deploymentId: optionalText(row.deployment_id),
    runtime: String(row.runtime),
    handle: (row.handle ?? undefined) as InstanceHandle | undefined,
    spec: row.spec as InstanceSpec,
    address: optionalText(row.address),
    desired: row.desired as DesiredState,
    state: String(row.state),
    restarts: Number(row.restarts),
    message: optionalText(row.message),
    retireAt: optionalDate(row.retire_at),
    startedAt: row.started_at as Date,
    stoppedAt: optionalDate(row.stopped_at),
    updatedAt: row.updated_at as Date,
  };
}

/** What is recorded of an instance before it is started. */
export type NewInstance = Pick<
  InstanceRecord,
  'id' | 'project' | 'service' | 'environment' | 'releaseId' | 'deploymentId' | 'runtime' | 'spec'
>;

/**
 * Record instances before they are started, so a crash right after a start can find them; in one statement (a scale
 * step recorded its instances one commit after another, bench/scale.ts). Returned in the order given.
 */
export async function insertInstances(db: Queryable, instances: NewInstance[]): Promise<InstanceRecord[]> {
  if (instances.length === 0) return [];
  const fields = 8;
  const values = instances.map((_, n) => {
    const p = Array.from({ length: fields }, (_, k) => `$${n * fields + k + 1}`);
    return `(${p.join(', ')}, 'running', 'starting')`;
  });
  const { rows } = await db.query(
    `insert into instances (id, project, service, environment, release_id, deployment_id, runtime, spec, desired, state)
     values ${values.join(', ')} returning ${columns}`,
    instances.flatMap((i) => [
      i.id,
      i.project,
      i.service,
      i.environment,
      i.releaseId,
      i.deploymentId ?? null,
      i.runtime,
      JSON.stringify(i.spec),
    ]),
  );
  const byId = new Map(rows.map((r) => [String(r.id), toInstance(r)]));
  return instances.map((i) => byId.get(i.id)!);
}

/** One instance. */
export async function getInstance(db: Queryable, id: string): Promise<InstanceRecord | undefined> {
  const { rows } = await db.query(`select ${columns} from instances where id = $1`, [id]);
  return rows[0] ? toInstance(rows[0]) : undefined;
}

export interface InstanceFilter {
  project?: string;
  environment?: string;
  service?: string;
  releaseId?: string;
  /** Only instances that are not (being) stopped. */
  live?: boolean;
  /** Include stopped instances (default: only live ones or those stopped in the last hour). */
  all?: boolean;
}

/** Instances matching the filter, oldest first. */
export async function listInstances(db: Queryable, f: InstanceFilter = {}): Promise<InstanceRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from instances
     where ($1::text is null or project = $1) and ($2::text is null or environment = $2) and ($3::text is null or
       service = $3)
       and ($4::text is null or release_id = $4)
       and (not $5 or desired <> 'stopped')
       and ($6 or desired <> 'stopped' or stopped_at is null or stopped_at > now() - interval '1 hour')
     order by started_at, id`,
    [f.project ?? null, f.environment ?? null, f.service ?? null, f.releaseId ?? null, f.live ?? false, f.all ?? false],
  );
  return rows.map(toInstance);
}

/** Instances that should still exist (running or warm) or are not yet confirmed stopped. */
export async function listSupervised(db: Queryable): Promise<InstanceRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from instances where desired <> 'stopped' or (stopped_at is null) order by started_at, id`,
  );
  return rows.map(toInstance);
}

/** What the runtime reports of an instance; fields left out keep their stored value. */
type StatusReport = {
  state?: string;
  restarts?: number;
  message?: string | null;
  handle?: InstanceHandle;
  address?: string;
};

/** The assignments of a status report to the row aliased `i`, parameters $2… as `statusParams` gives them. */
const statusAssignments = `state = coalesce($2, i.state), restarts = coalesce($3, i.restarts),
       message = case when $4::boolean then $5 else i.message end,
       handle = coalesce($6::jsonb, i.handle), address = coalesce($7, i.address), updated_at = now()`;

const statusParams = (id: string, s: StatusReport) => [
  id,
  s.state ?? null,
  s.restarts ?? null,
  s.message !== undefined,
  s.message ?? null,
  s.handle ? JSON.stringify(s.handle) : null,
  s.address ?? null,
];

/** Persist what the runtime reported. */
export async function updateInstanceStatus(db: Queryable, id: string, s: StatusReport): Promise<void> {
  await db.query(`update instances i set ${statusAssignments} where i.id = $1`, statusParams(id, s));
}

/**
 * Record the handles (and addresses) the runtime returned for instances it started, in one statement: a scale step
 * recorded each instance's in a commit of its own (bench/scale.ts).
 */
export async function recordHandles(
  db: Queryable,
  started: readonly { id: string; handle: InstanceHandle }[],
): Promise<void> {
  if (started.length === 0) return;
  await db.query(
    `update instances i set handle = s.handle, address = coalesce(s.address, i.address), updated_at = now()
       from unnest($1::text[], $2::jsonb[], $3::text[]) as s(id, handle, address)
      where i.id = s.id`,
    [
      started.map((s) => s.id),
      started.map((s) => JSON.stringify(s.handle)),
      started.map((s) => s.handle.address ?? null),
    ],
  );
}

/**
 * Persist what the runtime reported and return the record as it was just before, in one statement (the instance
 * monitor compares old and new; reading first, then writing, was two statements per report). A report that changes
 * nothing is not written (`changed` false): a runtime repeats what the store already has (an instance recorded
 * `starting` reports `starting`, one marked stopped reports `stopped`), and each such write was a commit, with its
 * WAL flush, on every instance start and stop (bench/scale.ts). Undefined when there is no such instance.
 */
export async function swapInstanceStatus(
  db: Queryable,
  id: string,
  s: StatusReport,
): Promise<{ before: InstanceRecord; changed: boolean } | undefined> {
  const { rows } = await db.query(
    `with old as (
       select ${columns} from instances i where id = $1
         and (coalesce($2, i.state), coalesce($3, i.restarts), case when $4::boolean then $5 else i.message end,
           coalesce($6::jsonb, i.handle), coalesce($7, i.address))
           is distinct from (i.state, i.restarts, i.message, i.handle, i.address)
       for update
     ),
     written as (
       update instances i set ${statusAssignments}
       from old where i.id = old.id
       returning ${oldColumns}
     )
     select *, true as changed from written
     union all
     select ${columns}, false from instances where id = $1 and not exists (select 1 from written)`,
    statusParams(id, s),
  );
  return rows[0] ? { before: toInstance(rows[0]), changed: rows[0].changed === true } : undefined;
}

const oldColumns = columns
  .split(', ')
  .map((c) => `old.${c}`)
  .join(', ');

/** Change what the engine wants of an instance. */
export async function setDesired(
  db: Queryable,
  ids: string[],
  desired: DesiredState,
  retireAt?: Date | null,
): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `update instances set desired = $2, retire_at = case when $3::boolean then $4::timestamptz else retire_at end, ` +
      `updated_at = now() where id = any($1)`,
    [ids, desired, retireAt !== undefined, retireAt ?? null],
  );
}

/** The runtime confirmed the instance (or each of several, in one statement) is gone. */
export async function markStopped(db: Queryable, ids: string | readonly string[]): Promise<void> {
  const list = typeof ids === 'string' ? [ids] : [...ids];
  if (list.length === 0) return;
  await db.query(
    `update instances set desired = 'stopped', state = 'stopped', stopped_at = coalesce(stopped_at, now()), ` +
      `updated_at = now() where id = any($1::text[])`,
    [list],
  );
}

/**
 * Warm instances whose keep-warm window has passed, and those whose retire started but never finished (told to
 * stop, not marked stopped): a retire interrupted half-way would otherwise count as live forever and keep a
 * contract migration waiting.
 */
export async function listRetired(db: Queryable, now: Date): Promise<InstanceRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from instances where retire_at is not null and retire_at <= $1 and ` +
      `(desired = 'warm' or (desired = 'stopped' and stopped_at is null))`,
    [now],
  );
  return rows.map(toInstance);
}
