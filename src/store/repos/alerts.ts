import type { Queryable } from '../db.js';
import type { EventRecord } from './events.js';
import { optionalDate, optionalText } from './rows.js';

/** An active alert as stored (the shape of src/observe/alerts/alert-state.ts ActiveAlert; the store imports no
 * capability). */
export interface StoredAlert {
  fingerprint: string;
  rule: string;
  severity: 'critical' | 'warning';
  labels: Record<string, string>;
  groupKey: string;
  state: 'pending' | 'firing';
  activeSince: number;
  firedAt?: number;
  lastBreachAt: number;
  value: number;
  threshold: number;
  lastNotifiedAt?: number;
  mutedBy?: string;
}

const columns =
  'fingerprint, rule, severity, group_key, labels, state, value, threshold, active_since, fired_at, last_breach_at, ' +
  'last_notified_at, muted_by';

function toAlert(row: Record<string, unknown>): StoredAlert {
  const at = (v: unknown) => optionalDate(v)?.getTime();
  const firedAt = at(row.fired_at);
  const lastNotifiedAt = at(row.last_notified_at);
  const mutedBy = optionalText(row.muted_by);
  return {
    fingerprint: String(row.fingerprint),
    rule: String(row.rule),
    severity: row.severity as StoredAlert['severity'],
    groupKey: String(row.group_key),
    labels: row.labels as Record<string, string>,
    state: row.state as StoredAlert['state'],
    value: Number(row.value),
    threshold: Number(row.threshold),
    activeSince: at(row.active_since)!,
    lastBreachAt: at(row.last_breach_at)!,
    ...(firedAt !== undefined ? { firedAt } : {}),
    ...(lastNotifiedAt !== undefined ? { lastNotifiedAt } : {}),
    ...(mutedBy ? { mutedBy } : {}),
  };
}

/** The active alerts of an environment, or of every environment of a project. */
export async function listActiveAlerts(db: Queryable, project: string, environment?: string): Promise<StoredAlert[]> {
  const { rows } = await db.query(
    `select ${columns} from alerts where project = $1 and ($2::text is null or environment = $2)
     order by severity, group_key, rule, fingerprint`,
    [project, environment ?? null],
  );
  return rows.map(toAlert);
}

/** Make the environment's active alerts exactly `alerts` (one round's outcome). Run it in a transaction. */
export async function replaceActiveAlerts(
  tx: Queryable,
  project: string,
  environment: string,
  alerts: StoredAlert[],
): Promise<void> {
  await tx.query('delete from alerts where project = $1 and environment = $2', [project, environment]);
  const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
  for (const a of alerts) {
    await tx.query(
      `insert into alerts (project, environment, ${columns})
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        project,
        environment,
        a.fingerprint,
        a.rule,
        a.severity,
        a.groupKey,
        JSON.stringify(a.labels),
        a.state,
        a.value,
        a.threshold,
        date(a.activeSince),
        date(a.firedAt),
        date(a.lastBreachAt),
        date(a.lastNotifiedAt),
        a.mutedBy ?? null,
      ],
    );
  }
}

/** The readings of an environment's last round. */
export async function saveReadings(tx: Queryable, project: string, environment: string, at: number, readings: unknown) {
  await tx.query(
    `insert into alert_readings (project, environment, at, readings) values ($1, $2, $3, $4)
     on conflict (project, environment) do update set at = excluded.at, readings = excluded.readings`,
    [project, environment, new Date(at), JSON.stringify(readings)],
  );
}

/** The last round's readings per environment of a project. */
export async function listReadings(
  db: Queryable,
  project: string,
  environment?: string,
): Promise<{ environment: string; at: Date; readings: unknown[] }[]> {
  const { rows } = await db.query(
    `select environment, at, readings from alert_readings where project = $1 and ($2::text is null or environment = $2)
     order by environment`,
    [project, environment ?? null],
  );
  return rows.map((r) => ({ environment: String(r.environment), at: r.at as Date, readings: r.readings as unknown[] }));
}

/** The alert and silence events of a project (one environment's when given), newest first. */
export async function listAlertHistory(
  db: Queryable,
  f: { project: string; environment?: string; limit?: number },
): Promise<EventRecord[]> {
  const { rows } = await db.query(
    `select id, project, deployment_id, service, environment, kind, message, data, at from events
     where project = $1 and ($2::text is null or environment = $2)
       and kind in ('alert.firing', 'alert.resolved', 'silence.created', 'silence.expired')
     order by id desc limit $3`,
    [f.project, f.environment ?? null, f.limit ?? 200],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    project: optionalText(r.project),
    deploymentId: optionalText(r.deployment_id),
    service: optionalText(r.service),
    environment: optionalText(r.environment),
    kind: String(r.kind),
    message: String(r.message),
    data: (r.data ?? {}) as Record<string, unknown>,
    at: r.at as Date,
  }));
}
