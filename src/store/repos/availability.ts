import type { Queryable } from '../db.js';

/** What one probe round adds to a service's minute. */
export interface AvailabilityDelta {
  project: string;
  environment: string;
  service: string;
  at: Date;
  probes: number;
  probeFailures: number;
  requests: number;
  errors5xx: number;
}

/** Add to the minute `at` falls in (one row per minute and service). */
export async function addAvailability(db: Queryable, d: AvailabilityDelta): Promise<void> {
  await db.query(
    `insert into availability_samples (project, environment, service, minute, probes, probe_failures, requests,
       errors_5xx)
     values ($1, $2, $3, date_trunc('minute', $4::timestamptz), $5, $6, $7, $8)
     on conflict (project, environment, service, minute) do update set
       probes = availability_samples.probes + excluded.probes,
       probe_failures = availability_samples.probe_failures + excluded.probe_failures,
       requests = availability_samples.requests + excluded.requests,
       errors_5xx = availability_samples.errors_5xx + excluded.errors_5xx`,
    [d.project, d.environment, d.service, d.at, d.probes, d.probeFailures, d.requests, d.errors5xx],
  );
}

/** Totals per environment (and service, when asked) over [since, until). */
export interface AvailabilityTotals {
  environment: string;
  probes: number;
  probeFailures: number;
  requests: number;
  errors5xx: number;
}

/** Availability counted per environment over a period, optionally for one service. */
export async function availabilityTotals(
  db: Queryable,
  f: { project: string; since: Date; until: Date; environment?: string; service?: string },
): Promise<AvailabilityTotals[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select environment, sum(probes)::bigint as probes, sum(probe_failures)::bigint as probe_failures,
            sum(requests)::bigint as requests, sum(errors_5xx)::bigint as errors_5xx
       from availability_samples
      where project = $1 and minute >= date_trunc('minute', $2::timestamptz) and minute < $3
        and ($4::text is null or environment = $4) and ($5::text is null or service = $5)
      group by environment order by environment`,
    [f.project, f.since, f.until, f.environment ?? null, f.service ?? null],
  );
  return rows.map((r) => ({
    environment: String(r.environment),
    probes: Number(r.probes),
    probeFailures: Number(r.probe_failures),
    requests: Number(r.requests),
    errors5xx: Number(r.errors_5xx),
  }));
}

/** The last minutes of one environment: probes and failures, for the status summary. */
export async function recentProbeFailures(
  db: Queryable,
  f: { project: string; environment: string; since: Date },
): Promise<{ probes: number; probeFailures: number }> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select coalesce(sum(probes), 0)::bigint as probes, coalesce(sum(probe_failures), 0)::bigint as probe_failures
       from availability_samples
      where project = $1 and environment = $2 and minute >= date_trunc('minute', $3::timestamptz)`,
    [f.project, f.environment, f.since],
  );
  return { probes: Number(rows[0]?.probes ?? 0), probeFailures: Number(rows[0]?.probe_failures ?? 0) };
}
