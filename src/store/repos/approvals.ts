import type { Grant } from '../../model/grant.js';
import { personOf } from '../../model/requested-by.js';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

/** One approve or reject decision, as recorded (rows are only appended). */
export interface ApprovalRecord {
  id: string;
  project: string;
  service: string;
  version: string;
  /** The release's digest when decided: a release that changed voids the decision. */
  releaseDigest: string;
  environment: string;
  decision: 'approve' | 'reject';
  /** The approving token's name (the "person"). */
  byName: string;
  byToken: string;
  reason?: string;
  at: Date;
  /** Approvals only; rejections do not expire. */
  expiresAt?: Date;
}

/** A decision with the deciding token as it is now: its grants, or null when it was revoked or deleted. */
export interface ApprovalWithToken extends ApprovalRecord {
  tokenGrants: Grant[] | null;
}

function toApproval(row: Record<string, unknown>): ApprovalRecord {
  return {
    id: String(row.id),
    project: String(row.project),
    service: String(row.service),
    version: String(row.version),
    releaseDigest: String(row.release_digest),
    environment: String(row.environment),
    decision: row.decision as ApprovalRecord['decision'],
    byName: String(row.by_name),
    byToken: String(row.by_token),
    ...(optionalText(row.reason) !== undefined ? { reason: String(row.reason) } : {}),
    at: row.at as Date,
    ...(optionalDate(row.expires_at) ? { expiresAt: optionalDate(row.expires_at)! } : {}),
  };
}

/** Record a decision. */
export async function insertApproval(db: Queryable, a: ApprovalRecord): Promise<ApprovalRecord> {
  const { rows } = await db.query(
    `insert into approvals (id, project, service, version, release_digest, environment, decision, by_name, by_token,
      reason, at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning *`,
    [
      a.id,
      a.project,
      a.service,
      a.version,
      a.releaseDigest,
      a.environment,
      a.decision,
      a.byName,
      a.byToken,
      a.reason ?? null,
      a.at,
      a.expiresAt ?? null,
    ],
  );
  return toApproval(rows[0]!);
}

/** Every decision on one release for one environment, oldest first, with the deciding token's current grants. */
export async function listApprovals(
  db: Queryable,
  key: { project: string; service: string; version: string; environment: string },
): Promise<ApprovalWithToken[]> {
  const { rows } = await db.query(
    // A person deciding in the dashboard decides as a login session (by_token 'session:' + a prefix of its
    // id): their decision counts with the user's grants now (none once disabled), or for single sign-on
    // with the grants the provider gave that session. Logging out does not withdraw a decision.
    `select a.*, case
         when a.by_token like 'session:%' then (
           select case when s.identity->>'kind' = 'local'
                       then (select u.grants from users u
                              where u.name = s.identity->>'name' and u.disabled_at is null)
                       else s.identity->'grants' end
             from sessions s where s.id like substr(a.by_token, 9) || '%' limit 1)
         when t.id is null or t.revoked_at is not null then null
         else t.grants end as token_grants
       from approvals a left join tokens t on t.id = a.by_token
      where a.project = $1 and a.service = $2 and a.version = $3 and a.environment = $4
      order by a.at, a.id`,
    [key.project, key.service, key.version, key.environment],
  );
  return rows.map((row) => ({ ...toApproval(row), tokenGrants: (row.token_grants as Grant[] | null) ?? null }));
}

/** Who requested the first deployment of a release (the person who triggered it), if any did. */
export async function releaseRequester(db: Queryable, releaseId: string): Promise<string | undefined> {
  const { rows } = await db.query(
    `select requested_by from deployments where to_release = $1 and kind = 'deploy' order by created_at, id limit 1`,
    [releaseId],
  );
  const requester = optionalText(rows[0]?.requested_by);
  return requester === undefined ? undefined : personOf(requester);
}
