import { appendAudit } from '../access/audit/chain.js';
import type { Incident, IncidentLink } from '../model/incident.js';
import type { Logger } from '../shared/logging.js';
import { shorten } from '../shared/shorten.js';
import type { Db } from '../store/db.js';
import { getDeployment } from '../store/repos/deployments.js';
import type { EventRecord } from '../store/repos/events.js';
import { incidentsLinking, listIncidents, openIncidentOfGroup } from '../store/repos/incidents.js';
import { getRelease } from '../store/repos/releases.js';
import { linkIncident, openIncident } from './actions.js';
import { type EventEffect, effectOf } from './triggers.js';

/** Who opens incidents in the audit log and on the incident. */
export const followerActor = 'slipway (incident follower)';

/** Was `i` opened for deployment `id` (its first deployment link, from a deployment source)? */
function openedFor(i: Incident, id: string): boolean {
  return i.source !== 'alert' && i.source !== 'manual' && i.links.find((l) => l.kind === 'deployment')?.ref === id;
}

const verbs: Record<string, string> = {
  rollback: 'was rolled back automatically',
  watch: 'regressed after its rollout',
  deployment: 'failed to deploy',
};

/** The longest incident title (the API refuses longer ones from people too). */
const titleMax = 300;

/**
 * What happened to a deployment, as an incident's title: "api 2.0.0 was rolled back automatically in staging: …".
 * A candidate that never served traffic failed (its deployment ends `failed`, as the CLI says): it was not rolled
 * back from anyone.
 */
export function deploymentIncidentTitle(
  d: { service: string; environment: string; version?: string },
  effect: Pick<Extract<EventEffect, { kind: 'open' }>, 'source' | 'outcome' | 'reason'>,
): string {
  const verb =
    effect.source === 'rollback' && effect.outcome === 'failed'
      ? 'failed before serving traffic'
      : verbs[effect.source];
  const version = d.version ? ` ${d.version}` : '';
  return shorten(`${d.service}${version} ${verb} in ${d.environment}: ${effect.reason}`, titleMax);
}

/** What the follower does with one event: open an incident, or link something to an open one. */
export class IncidentOpener {
  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** Idempotent: reading an event twice opens nothing twice and links nothing twice. */
  async handle(e: EventRecord): Promise<void> {
    const effect = effectOf(e);
    if (effect.kind === 'none' || !e.project) return;
    if (effect.kind === 'linkDeployment') return this.linkDeployment(e, effect.deploymentId);
    if (effect.kind === 'linkAlert') {
      const open = await openIncidentOfGroup(this.db, { ...this.alertPlace(e), group: effect.group });
      if (open) await linkIncident(this.db, open.id, [{ kind: 'alert', ref: effect.rule }]);
      return;
    }
    if (effect.kind === 'linkIssue') return this.linkIssue(e, effect.issue, effect.release);
    if (effect.alert) return this.openForAlert(e, effect, effect.alert);
    if (effect.deploymentId) return this.openForDeployment(e, effect, effect.deploymentId);
  }

  private async openForDeployment(e: EventRecord, effect: Extract<EventEffect, { kind: 'open' }>, id: string) {
    // Already part of an open incident, or the one opened for it (a rollback that then fails): nothing new. A fix
    // linked to an incident resolved since can still fail on its own and open one.
    const linked = await incidentsLinking(this.db, 'deployment', id);
    if (linked.some((i) => i.state !== 'resolved' || openedFor(i, id))) return;
    const d = await getDeployment(this.db, id);
    if (!d) return;
    const [from, to] = await Promise.all([
      d.fromRelease ? getRelease(this.db, d.fromRelease) : undefined,
      getRelease(this.db, d.toRelease),
    ]);
    const links: IncidentLink[] = [
      { kind: 'deployment', ref: d.id },
      ...(to ? [{ kind: 'release' as const, ref: to.id }] : []),
      ...(from ? [{ kind: 'release' as const, ref: from.id }] : []),
    ];
    // One incident per service at a time: a second failure while one is open joins it.
    const open = await this.openIncidentOf(d.project, d.environment, d.service);
    if (open) {
      await linkIncident(this.db, open.id, links);
      return;
    }
    const title = deploymentIncidentTitle({ ...d, ...(to ? { version: to.version } : {}) }, effect);
    await this.open(e, {
      project: d.project,
      environment: d.environment,
      service: d.service,
      title,
      severity: effect.severity,
      source: effect.source,
      sourceEvent: e.id,
      openedBy: followerActor,
      links,
    });
  }

  private async openForAlert(
    e: EventRecord,
    effect: Extract<EventEffect, { kind: 'open' }>,
    alert: { group: string; rule: string },
  ) {
    const place = this.alertPlace(e);
    const link: IncidentLink = { kind: 'alert', ref: alert.rule };
    const joined = await openIncidentOfGroup(this.db, { ...place, group: alert.group });
    if (joined) {
      await linkIncident(this.db, joined.id, [link]);
      return;
    }
    const opened = await this.open(e, {
      ...place,
      ...(e.service ? { service: e.service } : {}),
      title: shorten(`${effect.reason} (group ${alert.group})`, titleMax),
      severity: effect.severity,
      source: 'alert',
      sourceEvent: e.id,
      alertGroup: alert.group,
      openedBy: followerActor,
      links: [link],
    });
    // Lost a race with another firing alert of the group: join the incident that won.
    if (!opened) {
      const winner = await openIncidentOfGroup(this.db, { ...place, group: alert.group });
      if (winner) await linkIncident(this.db, winner.id, [link]);
    }
  }

  private async open(e: EventRecord, input: Parameters<typeof openIncident>[1]): Promise<Incident | undefined> {
    const opened = await openIncident(this.db, input);
    if (!opened) return undefined;
    this.logger.info({ incident: opened.id, event: e.id, kind: e.kind }, `incident opened: ${opened.title}`);
    await appendAudit(this.db, {
      actor: followerActor,
      action: 'incident.open',
      target: `incident=${opened.id} environment=${opened.environment}`,
      source: 'coordinator',
      outcome: 'allowed',
      status: 201,
      after: { incident: opened.id, state: opened.state, severity: opened.severity, event: e.id },
    });
    return opened;
  }

  private async linkDeployment(e: EventRecord, id: string): Promise<void> {
    if (!e.environment || !e.service) return;
    const open = await this.openIncidentOf(e.project!, e.environment, e.service);
    if (!open) return;
    const d = await getDeployment(this.db, id);
    await linkIncident(this.db, open.id, [
      { kind: 'deployment', ref: id },
      ...(d ? [{ kind: 'release' as const, ref: d.toRelease }] : []),
    ]);
  }

  /**
   * An error issue joins the open incidents of its environment: those whose releases include the
   * issue's release (`1.2.0` or `service@1.2.0`), or that have no release (alerts, opened by hand).
   */
  private async linkIssue(e: EventRecord, issue: string, release: string | undefined): Promise<void> {
    if (!e.environment) return;
    const open = await listIncidents(this.db, { project: e.project!, environment: e.environment, state: 'open' });
    for (const i of open) {
      const releases = i.links.filter((l) => l.kind === 'release');
      let matches = releases.length === 0;
      for (const l of releases) {
        const r = matches || !release ? undefined : await getRelease(this.db, l.ref);
        if (r && (release === r.version || release === `${r.service}@${r.version}`)) matches = true;
      }
      if (matches) await linkIncident(this.db, i.id, [{ kind: 'issue', ref: issue }]);
    }
  }

  private async openIncidentOf(project: string, environment: string, service: string): Promise<Incident | undefined> {
    return (await listIncidents(this.db, { project, environment, service, state: 'open', limit: 1 }))[0];
  }

  /** An alert's environment: the event's, or its `environment` label; `*` (project-wide) otherwise. */
  private alertPlace(e: EventRecord): { project: string; environment: string } {
    const labels = (e.data.labels ?? {}) as Record<string, unknown>;
    const environment = e.environment ?? (typeof labels.environment === 'string' ? labels.environment : '*');
    return { project: e.project!, environment };
  }
}
