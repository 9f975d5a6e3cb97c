import type { Queryable } from '../../store/db.js';
import { jsonParam } from '../../store/params.js';
import type { Accepted } from './accepted.js';

/** Add a batch's session tallies to release_sessions and release_session_users (summed per release and hour). */
export async function storeSessions(tx: Queryable, batch: Accepted[]): Promise<void> {
  const tallies = new Map<
    string,
    Record<string, unknown> & { sessions: number; errored: number; crashed: number; abnormal: number }
  >();
  const users = new Map<
    string,
    { project: string; environment: string; release: string; bucket: string; user_hash: string; crashed: boolean }
  >();
  for (const a of batch)
    for (const t of a.sessions) {
      const bucket = new Date(t.bucket).toISOString();
      const key = `${a.project}\u0001${a.environment}\u0001${t.release}\u0001${bucket}`;
      const sum = tallies.get(key) ?? {
        project: a.project,
        environment: a.environment,
        release: t.release,
        bucket,
        sessions: 0,
        errored: 0,
        crashed: 0,
        abnormal: 0,
      };
      sum.sessions += t.sessions;
      sum.errored += t.errored;
      sum.crashed += t.crashed;
      sum.abnormal += t.abnormal;
      tallies.set(key, sum);
      for (const [user_hash, crashed] of t.users) {
        const u = users.get(`${key}\u0001${user_hash}`);
        users.set(`${key}\u0001${user_hash}`, {
          project: a.project,
          environment: a.environment,
          release: t.release,
          bucket,
          user_hash,
          crashed: crashed || (u?.crashed ?? false),
        });
      }
    }
  if (tallies.size > 0)
    await tx.query(
      `insert into release_sessions as s (project, environment, release, bucket, sessions, errored, crashed, abnormal)
       select * from jsonb_to_recordset($1::jsonb) as x(project text, environment text, release text,
         bucket timestamptz, sessions bigint, errored bigint, crashed bigint, abnormal bigint)
       on conflict (project, environment, release, bucket) do update set sessions = s.sessions + excluded.sessions,
         errored = s.errored + excluded.errored, crashed = s.crashed + excluded.crashed,
         abnormal = s.abnormal + excluded.abnormal`,
      [jsonParam([...tallies.values()])],
    );
  if (users.size > 0)
    await tx.query(
      `insert into release_session_users as u (project, environment, release, bucket, user_hash, crashed)
       select * from jsonb_to_recordset($1::jsonb) as x(project text, environment text, release text,
         bucket timestamptz, user_hash text, crashed boolean)
       on conflict (project, environment, release, bucket, user_hash) do update set crashed = u.crashed or
         excluded.crashed`,
      [jsonParam([...users.values()])],
    );
}

/** Count a batch's transactions per release and minute. */
export async function storeTransactions(tx: Queryable, batch: Accepted[]): Promise<void> {
  const counts = new Map<
    string,
    { project: string; environment: string; release: string; bucket: string; n: number }
  >();
  for (const a of batch)
    for (const t of a.transactions) {
      const bucket = new Date(Math.floor(t.at / 60_000) * 60_000).toISOString();
      const key = `${a.project}\u0001${a.environment}\u0001${t.release}\u0001${bucket}`;
      const c = counts.get(key) ?? { project: a.project, environment: a.environment, release: t.release, bucket, n: 0 };
      c.n++;
      counts.set(key, c);
    }
  if (counts.size === 0) return;
  await tx.query(
    `insert into release_transactions as t (project, environment, release, bucket, count)
     select * from jsonb_to_recordset($1::jsonb) as x(project text, environment text, release text, bucket timestamptz,
       n bigint)
     on conflict (project, environment, release, bucket) do update set count = t.count + excluded.count`,
    [jsonParam([...counts.values()])],
  );
}
