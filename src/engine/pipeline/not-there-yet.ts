/**
 * Where a release stands in an environment it has not been to: ready to go there, or what it waits for. Each blocker
 * is said once — a failure in an environment this one requires is that failure, not also "not deployed successfully
 * there yet" — and a release that failed on its way lists no approvals: approving it would not let it go.
 */
import type { EnvironmentConfig } from '../../config/model.js';
import type { DeploymentRecord } from '../../model/deployment.js';
import type { Queryable } from '../../store/db.js';
import { approvalStatus } from './approval-status.js';
import { activeFreeze } from './freeze.js';
import { waitsGiven } from './promotion.js';

export interface NotThereYet {
  project: string;
  service: string;
  release: { id: string; version: string };
  target: EnvironmentConfig;
  now: Date;
  /** The service's deployments, as the pipeline view holds them. */
  deployments: readonly DeploymentRecord[];
  /** The earlier environments where its last deployment failed, rolled back or regressed. */
  failedIn: readonly string[];
}

/** `ready` with nothing to wait for, else `waiting` with the reasons in words: the failure first, as it decides. */
export async function notThereYet(
  db: Queryable,
  q: NotThereYet,
): Promise<{ state: 'ready' | 'waiting'; waitsFor: string[] }> {
  const { release, target, now, failedIn } = q;
  // First success per environment, from the deployments already in hand.
  const succeededAt = (environment: string) =>
    q.deployments
      .filter(
        (d) => d.environment === environment && d.toRelease === release.id && d.state === 'succeeded' && d.finishedAt,
      )
      .reduce<Date | undefined>((first, d) => (!first || d.finishedAt! < first ? d.finishedAt : first), undefined);
  const waitsFor: string[] = [];
  if (failedIn.length > 0) waitsFor.push(`it failed in ${failedIn.join(' and ')}: deploy a fixed release there first`);
  for (const wait of waitsGiven(q.service, release.version, target, now, succeededAt))
    if (!failedIn.includes(wait.environment)) waitsFor.push(wait.reason);
  const freeze = activeFreeze(target.freezes, now);
  if (freeze) waitsFor.push(`${target.name} is frozen until ${freeze.endsAt.toISOString()} (${freeze.message})`);
  if (failedIn.length === 0) {
    const approvals = await approvalStatus(db, q.project, q.service, release.version, target, now);
    if (approvals?.waitsFor) waitsFor.push(approvals.waitsFor);
  }
  return { state: waitsFor.length > 0 ? 'waiting' : 'ready', waitsFor };
}
