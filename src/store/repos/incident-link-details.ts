import type { IncidentLink, IncidentLinkDetail } from '../../model/incident.js';
import type { Queryable } from '../db.js';

/** The key of a link in the map linkDetails returns. */
export const linkKey = (l: IncidentLink): string => `${l.kind}:${l.ref}`;

/**
 * The service and versions behind the deployment and release links given, in two queries whatever their number
 * (a list of incidents shows many). Links to rows that are gone, alerts and issues are not in the map.
 */
export async function linkDetails(db: Queryable, links: IncidentLink[]): Promise<Map<string, IncidentLinkDetail>> {
  const refs = (kind: IncidentLink['kind']) => [...new Set(links.filter((l) => l.kind === kind).map((l) => l.ref))];
  const deployments = refs('deployment');
  const releases = refs('release');
  const details = new Map<string, IncidentLinkDetail>();
  if (deployments.length) {
    const { rows } = await db.query(
      `select d.id, d.service, f.version as from_version, t.version as to_version from deployments d
         join releases t on t.id = d.to_release left join releases f on f.id = d.from_release
        where d.id = any($1::text[])`,
      [deployments],
    );
    for (const r of rows)
      details.set(`deployment:${r.id}`, {
        service: String(r.service),
        version: String(r.to_version),
        ...(r.from_version === null ? {} : { fromVersion: String(r.from_version) }),
      });
  }
  if (releases.length) {
    const { rows } = await db.query(`select id, service, version from releases where id = any($1::text[])`, [releases]);
    for (const r of rows) details.set(`release:${r.id}`, { service: String(r.service), version: String(r.version) });
  }
  return details;
}
