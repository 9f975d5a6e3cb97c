import type { ProjectConfig } from '../../../config/model.js';
import { formatDuration } from '../../../shared/duration.js';
import { messageOf } from '../../../shared/errors.js';
import type { Queryable } from '../../../store/db.js';
import type { AlertReader, AlertReading, AlertTarget } from '../reader.js';
import { authErrorMatch, defaultAuthErrors } from '../auth-errors.js';
import { defaultRules, rulesFor } from '../rules.js';

export interface ErrorsReaderOptions {
  db: Queryable;
  configOf: (project: string) => Promise<ProjectConfig | undefined>;
  now?: () => number;
}

/** Issues named per round at most (each is its own alert). */
const maxIssues = 20;
/** Auth error events are counted over this window, against their average per window in the hour before it. */
const authWindowMs = 5 * 60_000;
const authBaselineMs = 60 * 60_000;
/** A quiet past (no auth errors at all) counts as one per window, so that a handful is not yet a spike. */
const authBaselineFloor = 1;

/**
 * What the Sentry SDKs of the live release reported (the error ingest's tables), for the error
 * rules. Events carry the release version the SDK was given (SENTRY_RELEASE), so a service's
 * live release is found by its version in its environment.
 *
 * - `error_events`: error events in the rule's window;
 * - `error_users_share`: users with an error in the window over the users the SDK sessions saw
 *   then (sessions are counted per hour: the hours the window touches), nodata without sessions;
 * - `error_issue_new` / `error_issue_regressed`: one reading per unresolved issue first seen in
 *   the live release, or resolved and seen again in it (labelled with the issue: one alert each);
 * - `auth_error_events` (labelled `source: sdk`, for the auth-failures rule): error events of the live release in the
 *   last 5 min whose exception is an authentication failure (auth-errors.ts, or the environment's
 *   `alerts.authErrors`), with a baseline: their average per 5 min in the hour before, of this release and the one
 *   it replaced, at least 1. None when `authErrors` is empty.
 */
export class ErrorsReader implements AlertReader {
  readonly name = 'errors';
  readonly scope = 'service';

  constructor(private readonly o: ErrorsReaderOptions) {}

  async read(target: AlertTarget): Promise<AlertReading[]> {
    if (!target.release) return [];
    const env = (await this.o.configOf(target.project))?.environments.find((e) => e.name === target.environment);
    const rules = rulesFor(env?.alerts);
    const windowOf = (name: 'error-events' | 'error-users-share') =>
      rules.find((r) => r.name === name)?.windowMs ?? defaultRules[name].windowMs!;
    const now = this.o.now?.() ?? Date.now();
    const key = [target.project, target.environment, target.release];
    try {
      const authErrors = env?.alerts?.authErrors ?? defaultAuthErrors;
      const [events, share, issues, auth] = await Promise.all([
        this.events(key, now, windowOf('error-events')),
        this.usersShare(key, now, windowOf('error-users-share')),
        this.issues(key),
        authErrors.length > 0 ? this.authEvents(target, now, authErrors) : [],
      ]);
      return [events, share, ...issues, ...auth];
    } catch (e) {
      const message = `cannot read the error events of ${target.release}: ${messageOf(e)}`;
      return [
        ...['error_events', 'error_users_share'].map((name) => ({
          name,
          labels: {},
          phase: 'error' as const,
          message,
        })),
        { name: 'auth_error_events', labels: { source: 'sdk' }, phase: 'error', message },
      ];
    }
  }

  async close(): Promise<void> {}

  private async events(key: string[], now: number, windowMs: number): Promise<AlertReading> {
    const { rows } = await this.o.db.query<{ n: number }>(
      `select count(*)::int as n from error_events
       where project = $1 and environment = $2 and release = $3 and received_at >= $4`,
      [...key, new Date(now - windowMs).toISOString()],
    );
    const n = Number(rows[0]?.n ?? 0);
    return {
      name: 'error_events',
      labels: {},
      phase: 'ok',
      value: n,
      detail: `${n} error events in the last ${formatDuration(windowMs)}`,
    };
  }

  private async usersShare(key: string[], now: number, windowMs: number): Promise<AlertReading> {
    const since = new Date(now - windowMs).toISOString();
    const { rows } = await this.o.db.query<{ affected: number; seen: number }>(
      `with affected as (
         select distinct u.user_hash from error_issue_users u join error_issues i on i.id = u.issue_id
         where i.project = $1 and u.environment = $2 and u.release = $3 and u.last_seen >= $4
       ), seen as (
         select distinct user_hash from release_session_users
         where project = $1 and environment = $2 and release = $3 and bucket >= date_trunc('hour', $4::timestamptz)
       )
       select (select count(*) from affected)::int as affected, (select count(*) from seen)::int as seen,
         (select count(*) from (select user_hash from affected union select user_hash from seen) a)::int as users`,
      [...key, since],
    );
    const r = rows[0] as { affected: number; seen: number; users: number } | undefined;
    const window = formatDuration(windowMs);
    if (!r || Number(r.seen) === 0)
      return {
        name: 'error_users_share',
        labels: {},
        phase: 'nodata',
        message: `no SDK sessions with a user in the last ${window}: the share of users affected is unknown`,
      };
    // Users with an error but no session reported (yet) are users too.
    const users = Number(r.users);
    const affected = Number(r.affected);
    return {
      name: 'error_users_share',
      labels: {},
      phase: 'ok',
      value: affected / users,
      detail: `${affected} of ${users} users had an error in the last ${window}`,
    };
  }

  private async authEvents(target: AlertTarget, now: number, entries: readonly string[]): Promise<AlertReading[]> {
    const { types, titlePrefixes } = authErrorMatch(entries);
    const releases = [target.release, ...(target.previousRelease ? [target.previousRelease] : [])];
    const windowStart = now - authWindowMs;
    // The issue holds the exception type and the title ("Type: value"); an event is an auth failure when its issue is.
    const { rows } = await this.o.db.query<{ current: number; before: number }>(
      `select count(*) filter (where e.release = $3 and e.received_at >= $4)::int as current,
         count(*) filter (where e.received_at < $4)::int as before
       from error_events e join error_issues i on i.id = e.issue_id
       where e.project = $1 and e.environment = $2 and e.release = any($5::text[]) and e.received_at >= $6
         and (regexp_replace(coalesce(i.exception_type, ''), '^.*\\.', '') = any($7::text[])
           or exists (select 1 from unnest($8::text[]) p where starts_with(i.title, p)))`,
      [
        target.project,
        target.environment,
        target.release,
        new Date(windowStart).toISOString(),
        releases,
        new Date(windowStart - authBaselineMs).toISOString(),
        types,
        titlePrefixes,
      ],
    );
    const current = Number(rows[0]?.current ?? 0);
    const before = Number(rows[0]?.before ?? 0);
    const baseline = Math.max(authBaselineFloor, (before * authWindowMs) / authBaselineMs);
    return [
      {
        name: 'auth_error_events',
        labels: { source: 'sdk' },
        phase: 'ok',
        value: current,
        baseline,
        detail:
          `${current} auth error events from the SDKs in the last ${formatDuration(authWindowMs)} ` +
          `(${before} in the ${formatDuration(authBaselineMs)} before)`,
      },
    ];
  }

  private async issues(key: string[]): Promise<AlertReading[]> {
    const { rows } = await this.o.db.query<{ id: string; title: string; kind: string; events: number }>(
      `select i.id, i.title, case when i.regressed_release = $3 then 'regressed' else 'new' end as kind,
         c.event_count::int as events
       from error_issues i join error_issue_counts c on c.issue_id = i.id and c.release = $3 and c.environment = $2
       where i.project = $1 and i.status = 'unresolved' and (i.first_release = $3 or i.regressed_release = $3)
       order by c.last_seen desc limit ${maxIssues}`,
      key,
    );
    return rows.map((r) => ({
      name: r.kind === 'regressed' ? 'error_issue_regressed' : 'error_issue_new',
      labels: { issue: String(r.id) },
      phase: 'ok' as const,
      value: 1,
      detail: `${r.kind === 'regressed' ? 'regressed' : 'new'} issue ${r.id}: ${r.title} (${r.events} events)`,
    }));
  }
}
