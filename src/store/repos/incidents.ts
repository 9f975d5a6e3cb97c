import type { Incident, IncidentLink, IncidentState } from '../../model/incident.js';
import type { Queryable } from '../db.js';
import { optionalDate, optionalText } from './rows.js';

export type { Incident, IncidentLink };

const columns = `id, project, environment, service, title, severity, state, source, source_event, alert_group, owner,
  opened_by, opened_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, resolution`;

function toIncident(row: Record<string, unknown>, links: IncidentLink[]): Incident {
  const opt = <K extends keyof Incident>(key: K, value: Incident[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  return {
    id: String(row.id),
    project: String(row.project),
    environment: String(row.environment),
    ...opt('service', optionalText(row.service)),
    title: String(row.title),
    severity: row.severity as Incident['severity'],
    state: row.state as IncidentState,
    source: row.source as Incident['source'],
    ...opt('sourceEvent', row.source_event === null ? undefined : Number(row.source_event)),
    ...opt('alertGroup', optionalText(row.alert_group)),
    ...opt('owner', optionalText(row.owner)),
    openedBy: String(row.opened_by),
    openedAt: row.opened_at as Date,
    ...opt('acknowledgedAt', optionalDate(row.acknowledged_at)),
    ...opt('acknowledgedBy', optionalText(row.acknowledged_by)),
    ...opt('resolvedAt', optionalDate(row.resolved_at)),
    ...opt('resolvedBy', optionalText(row.resolved_by)),
    ...opt('resolution', optionalText(row.resolution)),
    links,
  };
}

export type NewIncident = Omit<Incident, 'state' | 'links' | 'openedAt'> & { links: IncidentLink[]; openedAt?: Date };

/**
 * Insert an incident with its links; undefined when its source event already opened one, or when
 * its alert group already has an open incident (both unique in the schema), so a re-read event opens nothing.
 */
export async function insertIncident(db: Queryable, i: NewIncident): Promise<Incident | undefined> {
  const { rows } = await db.query(
    `insert into incidents (id, project, environment, service, title, severity, state, source, source_event,
       alert_group, owner, opened_by, opened_at)
     values ($1, $2, $3, $4, $5, $6, 'triggered', $7, $8, $9, $10, $11, coalesce($12, now()))
     on conflict do nothing returning ${columns}`,
    [
      i.id,
      i.project,
      i.environment,
      i.service ?? null,
      i.title,
      i.severity,
      i.source,
      i.sourceEvent ?? null,
      i.alertGroup ?? null,
      i.owner ?? null,
      i.openedBy,
      i.openedAt ?? null,
    ],
  );
  if (!rows[0]) return undefined;
  for (const l of i.links) await addLink(db, i.id, l);
  return toIncident(rows[0], dedupe(i.links));
}

function dedupe(links: IncidentLink[]): IncidentLink[] {
  const seen = new Set<string>();
  return links.filter((l) => !seen.has(`${l.kind}:${l.ref}`) && seen.add(`${l.kind}:${l.ref}`));
}

/** Link something to an incident; true when the link is new. */
export async function addLink(db: Queryable, incidentId: string, l: IncidentLink): Promise<boolean> {
  const { rowCount } = await db.query(
    'insert into incident_links (incident_id, kind, ref) values ($1, $2, $3) on conflict do nothing',
    [incidentId, l.kind, l.ref],
  );
  return rowCount > 0;
}

async function linksOf(db: Queryable, ids: string[]): Promise<Map<string, IncidentLink[]>> {
  const map = new Map<string, IncidentLink[]>();
  if (ids.length === 0) return map;
  const { rows } = await db.query<{ incident_id: string; kind: IncidentLink['kind']; ref: string }>(
    'select incident_id, kind, ref from incident_links where incident_id = any($1) order by added_at, kind, ref',
    [ids],
  );
  for (const r of rows) map.set(r.incident_id, [...(map.get(r.incident_id) ?? []), { kind: r.kind, ref: r.ref }]);
  return map;
}

export async function getIncident(db: Queryable, id: string): Promise<Incident | undefined> {
  const { rows } = await db.query(`select ${columns} from incidents where id = $1`, [id]);
  if (!rows[0]) return undefined;
  return toIncident(rows[0], (await linksOf(db, [id])).get(id) ?? []);
}

export interface IncidentFilter {
  project?: string;
  environment?: string;
  service?: string;
  /** `open`: triggered or acknowledged. */
  state?: IncidentState | 'open';
  limit?: number;
}

/** Incidents, newest first. */
export async function listIncidents(db: Queryable, f: IncidentFilter = {}): Promise<Incident[]> {
  const { rows } = await db.query(
    `select ${columns} from incidents
      where ($1::text is null or project = $1) and ($2::text is null or environment = $2)
        and ($3::text is null or service = $3)
        and ($4::text is null or state = $4 or ($4 = 'open' and state <> 'resolved'))
      order by opened_at desc, id desc limit $5`,
    [f.project ?? null, f.environment ?? null, f.service ?? null, f.state ?? null, f.limit ?? 50],
  );
  const links = await linksOf(
    db,
    rows.map((r) => String(r.id)),
  );
  return rows.map((r) => toIncident(r, links.get(String(r.id)) ?? []));
}

/** Incidents that link `ref` of `kind`, newest first. */
export async function incidentsLinking(db: Queryable, kind: IncidentLink['kind'], ref: string): Promise<Incident[]> {
  const { rows } = await db.query<{ incident_id: string }>(
    'select incident_id from incident_links where kind = $1 and ref = $2',
    [kind, ref],
  );
  const found = await Promise.all(rows.map((r) => getIncident(db, r.incident_id)));
  return found.filter((i): i is Incident => i !== undefined);
}

/** The open incident of an alert group, if any. */
export async function openIncidentOfGroup(
  db: Queryable,
  key: { project: string; environment: string; group: string },
): Promise<Incident | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `select id from incidents where project = $1 and environment = $2 and alert_group = $3 and state <> 'resolved'`,
    [key.project, key.environment, key.group],
  );
  return rows[0] ? getIncident(db, rows[0].id) : undefined;
}

/**
 * Apply a lifecycle change, compare-and-set on the state it was decided from; undefined when
 * someone else changed the state first.
 */
export async function updateIncidentState(
  db: Queryable,
  id: string,
  from: IncidentState,
  c: Partial<Pick<Incident, 'state' | 'owner' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt' | 'resolvedBy'>> & {
    resolution?: string;
  },
): Promise<Incident | undefined> {
  const { rowCount } = await db.query(
    `update incidents set state = coalesce($3, state), owner = coalesce($4, owner),
       acknowledged_at = coalesce($5, acknowledged_at), acknowledged_by = coalesce($6, acknowledged_by),
       resolved_at = coalesce($7, resolved_at), resolved_by = coalesce($8, resolved_by),
       resolution = coalesce($9, resolution)
     where id = $1 and state = $2`,
    [
      id,
      from,
      c.state ?? null,
      c.owner ?? null,
      c.acknowledgedAt ?? null,
      c.acknowledgedBy ?? null,
      c.resolvedAt ?? null,
      c.resolvedBy ?? null,
      c.resolution ?? null,
    ],
  );
  return rowCount > 0 ? getIncident(db, id) : undefined;
}
