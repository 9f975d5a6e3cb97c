import type { Queryable } from '../db.js';
import { jsonParam } from '../params.js';
import { optionalDate, optionalText } from './rows.js';

/** What became of a delivery. `processing` holds the delivery id while its deployments are created. */
export type DeliveryOutcome =
  | 'processing'
  | 'triggered'
  | 'refused'
  | 'ignored'
  | 'ping'
  | 'replayed'
  | 'unauthorized'
  | 'malformed'
  | 'failed';

/** One project's and service's part in a push: the deployment it created, or why none was. */
export interface DeliveryResult {
  project: string;
  service?: string;
  environment?: string;
  version?: string;
  deployment?: string;
  state?: string;
  /** The refusal (freeze, promotion rule, conflict) or why nothing was planned. */
  refused?: string;
  ignored?: string;
}

/** What the push said about itself (absent for other events and rejected requests). */
export interface PushFacts {
  repository?: string;
  branch?: string;
  commitSha?: string;
  committedAt?: Date;
  pusher?: string;
}

export interface DeliveryRecord extends PushFacts {
  id: string;
  provider: string;
  deliveryId?: string;
  event?: string;
  receivedAt: Date;
  outcome: DeliveryOutcome;
  status?: number;
  reason?: string;
  results: DeliveryResult[];
}

/** A delivery as first recorded. */
export type NewDelivery = Pick<DeliveryRecord, 'id' | 'outcome'> &
  Partial<Pick<DeliveryRecord, 'provider' | 'deliveryId' | 'event' | 'status' | 'reason' | 'results'>> &
  PushFacts;

const columns =
  'id, provider, delivery_id, event, received_at, outcome, status, reason, repository, branch, commit_sha, ' +
  'committed_at, pusher, results';

function toDelivery(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: String(row.id),
    provider: String(row.provider),
    deliveryId: optionalText(row.delivery_id),
    event: optionalText(row.event),
    receivedAt: row.received_at as Date,
    outcome: row.outcome as DeliveryOutcome,
    status: row.status === null || row.status === undefined ? undefined : Number(row.status),
    reason: optionalText(row.reason),
    repository: optionalText(row.repository),
    branch: optionalText(row.branch),
    commitSha: optionalText(row.commit_sha),
    committedAt: optionalDate(row.committed_at),
    pusher: optionalText(row.pusher),
    results: (typeof row.results === 'string' ? JSON.parse(row.results) : row.results) as DeliveryResult[],
  };
}

const insertSql = `insert into webhook_deliveries (id, provider, delivery_id, event, outcome, status, reason,
  repository, branch, commit_sha, committed_at, pusher, results)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`;

function insertParams(d: NewDelivery): unknown[] {
  return [
    d.id,
    d.provider ?? 'github',
    d.deliveryId ?? null,
    d.event ?? null,
    d.outcome,
    d.status ?? null,
    d.reason ?? null,
    d.repository ?? null,
    d.branch ?? null,
    d.commitSha ?? null,
    d.committedAt ?? null,
    d.pusher ?? null,
    jsonParam(d.results ?? []),
  ];
}

/** Record a delivery that claims no delivery id (rejected, replayed). */
export async function recordDelivery(db: Queryable, d: NewDelivery): Promise<void> {
  await db.query(insertSql, insertParams(d));
}

/**
 * Claim a delivery id for processing. When an earlier delivery with the same id holds it, nothing
 * is inserted and that delivery is returned: the caller has a replay.
 */
export async function claimDelivery(
  db: Queryable,
  d: NewDelivery & { deliveryId: string },
  attempts = 3,
): Promise<{ claimed: true } | { claimed: false; earlier: DeliveryRecord }> {
  const { rowCount } = await db.query(
    `${insertSql} on conflict (provider, delivery_id) where outcome in ('processing', 'triggered', 'refused', ` +
      `'ignored', 'ping') do nothing`,
    insertParams({ ...d, outcome: 'processing' }),
  );
  if (rowCount === 1) return { claimed: true };
  const { rows } = await db.query(
    `select ${columns} from webhook_deliveries where provider = $1 and delivery_id = $2 and outcome in ` +
      `('processing', 'triggered', 'refused', 'ignored', 'ping')`,
    [d.provider ?? 'github', d.deliveryId],
  );
  // The holder may have failed and released the id between the two statements: claim again.
  if (!rows[0]) {
    if (attempts <= 1) throw new Error(`claimDelivery: delivery ${d.deliveryId} neither inserted nor found`);
    return claimDelivery(db, d, attempts - 1);
  }
  return { claimed: false, earlier: toDelivery(rows[0]) };
}

/** Record how a claimed delivery ended; `failed` releases its delivery id so GitHub's redelivery is processed. */
export async function finishDelivery(
  db: Queryable,
  id: string,
  f: { outcome: Exclude<DeliveryOutcome, 'processing'>; status: number; reason?: string; results?: DeliveryResult[] },
): Promise<void> {
  await db.query(
    `update webhook_deliveries set outcome = $2, status = $3, reason = $4, results = coalesce($5::jsonb, results) ` +
      `where id = $1`,
    [id, f.outcome, f.status, f.reason ?? null, f.results ? jsonParam(f.results) : null],
  );
}

/** Deliveries, newest first. */
export async function listDeliveries(
  db: Queryable,
  f: { deliveryId?: string; limit?: number } = {},
): Promise<DeliveryRecord[]> {
  const { rows } = await db.query(
    `select ${columns} from webhook_deliveries where ($1::text is null or delivery_id = $1) order by received_at ` +
      `desc, id desc limit $2`,
    [f.deliveryId ?? null, f.limit ?? 50],
  );
  return rows.map(toDelivery);
}
