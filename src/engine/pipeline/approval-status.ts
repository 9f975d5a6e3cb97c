/** Approvals as stored, run through the rules: where a release stands in an environment. */
import type { EnvironmentConfig, ProjectConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { listApprovals, releaseRequester } from '../../store/repos/approvals.js';
import { firstSucceededAt, lastFinishedDeploymentOf } from '../../store/repos/deployments.js';
import { getReleaseByVersion, listReleases } from '../../store/repos/releases.js';
import { describeApprovalWait, tallyApprovals, type ApprovalTally, type Excluded } from './approvals.js';
import { personOf } from '../../model/requested-by.js';
import { failureOf } from './promotion.js';

export interface ApprovalStatus extends ApprovalTally {
  environment: string;
  service: string;
  version: string;
  /** In words, when the release may not go yet. */
  waitsFor?: string;
}

/**
 * The approval status of `version` of `service` for `target`, or undefined when the environment
 * needs no approvals. `deployer` is whoever is deploying it now (their own approval does not count).
 */
export async function approvalStatus(
  db: Queryable,
  project: string,
  service: string,
  version: string,
  target: EnvironmentConfig,
  now: Date,
  deployer?: string,
): Promise<ApprovalStatus | undefined> {
  const policy = target.approvals; // absent in configs stored by older versions
  if (!policy) return undefined;
  const release = await getReleaseByVersion(db, project, service, version);
  const excluded: Excluded[] = [];
  const requester = release ? await releaseRequester(db, release.id) : undefined;
  if (requester) excluded.push({ name: requester, why: `${requester} first deployed it` });
  const person = deployer === undefined ? undefined : personOf(deployer);
  if (person && person !== requester) excluded.push({ name: person, why: `${person} is deploying it` });
  const decisions = release ? await listApprovals(db, { project, service, version, environment: target.name }) : [];
  const tally = tallyApprovals(policy, target.name, release?.digest, decisions, now, excluded);
  const waitsFor = describeApprovalWait(policy, target.name, { service, version }, tally, excluded);
  return { environment: target.name, service, version, ...tally, ...(waitsFor ? { waitsFor } : {}) };
}

/**
 * Per environment that needs approvals (of those given), the recent releases that have not been
 * deployed there successfully yet and did not fail in an earlier environment, with where their approvals stand.
 */
export async function approvalList(
  db: Queryable,
  config: ProjectConfig,
  environments: readonly string[],
  now: Date,
  releasesPerService = 10,
): Promise<ApprovalStatus[]> {
  const out: ApprovalStatus[] = [];
  for (const [index, environment] of config.environments.entries()) {
    if (!environment.approvals || !environments.includes(environment.name)) continue;
    const earlier = config.environments.slice(0, index).map((e) => e.name);
    for (const service of config.services) {
      for (const release of await listReleases(db, config.project, service.name, releasesPerService)) {
        if (await firstSucceededAt(db, config.project, service.name, environment.name, release.id)) continue;
        // A release that failed on its way here cannot go until a fixed one does: approving it is not a next step.
        if (await failedIn(db, config.project, service.name, earlier, release.id)) continue;
        const status = await approvalStatus(db, config.project, service.name, release.version, environment, now);
        if (status) out.push(status);
      }
    }
  }
  return out;
}

/** Did the last deployment of the release fail (or roll back, or regress) in any of `environments`? */
async function failedIn(
  db: Queryable,
  project: string,
  service: string,
  environments: readonly string[],
  releaseId: string,
): Promise<boolean> {
  for (const environment of environments)
    if (failureOf(await lastFinishedDeploymentOf(db, project, service, environment, releaseId))) return true;
  return false;
}
