/**
 * Approval rules, pure: which decisions count towards a release entering an environment.
 *
 * - Approvers are API tokens: a policy entry `alice` matches a token named alice, `role:approver`
 *   a token holding that role on the environment now (admins hold every role). A revoked token's
 *   decisions no longer count.
 * - A decision is for one release digest; when the release changes, earlier decisions are void.
 * - Each person (token name) counts once; their latest decision supersedes earlier ones.
 * - An approval expires after the policy's `expiresAfter` (or the expiry recorded with it, when
 *   sooner). Rejections do not expire.
 * - The person deploying the release, and whoever first deployed it, cannot approve it unless
 *   the policy has `selfApproval`.
 * - A rejection stops the release until the one who rejected approves it after all, or the
 *   release changes; since a version's release never changes, in practice: a new version.
 */
import { allows } from '../../access/authorize.js';
import type { Grant, Role } from '../../access/types.js';
import type { ApprovalPolicy } from '../../config/model.js';

/** One recorded decision, as the rules need it. */
export interface Decision {
  decision: 'approve' | 'reject';
  byName: string;
  reason?: string;
  at: Date;
  expiresAt?: Date;
  releaseDigest: string;
  /** The deciding token's grants now; null when it was revoked or deleted. */
  tokenGrants: Grant[] | null;
}

/** Someone whose approval does not count here, and why ("is deploying it"). */
export interface Excluded {
  name: string;
  why: string;
}

/** Where a release stands in one environment's approvals. */
export interface ApprovalTally {
  required: number;
  /** Distinct people whose approval counts, in the order they approved. */
  approvedBy: string[];
  /** The rejection that stops the release, if any. */
  rejection?: { by: string; reason: string; at: Date };
  /** Decisions that do not count, with why, for messages. */
  notCounted: { name: string; why: string }[];
  missing: number;
  state: 'approved' | 'pending' | 'rejected';
}

/**
 * The policy entry that makes `who` an approver in `environment`: their name, or the first
 * `role:ROLE` they hold there; undefined when they are not an approver.
 * @example approverEntry({ approvers: ['alice', 'role:approver'], ... }, 'production', { name: 'bob', grants: [{ role:
 * 'approver', environments: '*' }] }) // 'role:approver'
 */
export function approverEntry(
  policy: Pick<ApprovalPolicy, 'approvers'>,
  environment: string,
  who: { name: string; grants: readonly Grant[] },
): string | undefined {
  if (policy.approvers.includes(who.name)) return who.name;
  return policy.approvers.find(
    (entry) =>
      entry.startsWith('role:') &&
      allows({ grants: [...who.grants] }, entry.slice('role:'.length) as Role, environment),
  );
}

/** Count the decisions on a release whose digest is `digest`, at `now`. */
export function tallyApprovals(
  policy: ApprovalPolicy,
  environment: string,
  digest: string | undefined,
  decisions: readonly Decision[],
  now: Date,
  excluded: readonly Excluded[] = [],
): ApprovalTally {
  const latest = new Map<string, Decision>();
  for (const d of [...decisions].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (d.releaseDigest === digest) latest.set(d.byName, d);
  }
  const approvedBy: string[] = [];
  const notCounted: ApprovalTally['notCounted'] = [];
  let rejection: ApprovalTally['rejection'];
  for (const d of latest.values()) {
    if (!d.tokenGrants) {
      notCounted.push({ name: d.byName, why: 'its token was revoked' });
      continue;
    }
    if (!approverEntry(policy, environment, { name: d.byName, grants: d.tokenGrants })) {
      notCounted.push({ name: d.byName, why: `not an approver in ${environment} now` });
      continue;
    }
    if (d.decision === 'reject') {
      // The newest rejection is the one to show; anyone eligible may stop a release, themselves included.
      if (!rejection || d.at >= rejection.at) rejection = { by: d.byName, reason: d.reason ?? '', at: d.at };
      continue;
    }
    const expiresAt = Math.min(d.at.getTime() + policy.expiresAfterMs, d.expiresAt?.getTime() ?? Infinity);
    if (now.getTime() >= expiresAt) {
      notCounted.push({ name: d.byName, why: `expired at ${new Date(expiresAt).toISOString()}` });
      continue;
    }
    const self = policy.selfApproval ? undefined : excluded.find((e) => e.name === d.byName);
    if (self) {
      notCounted.push({ name: d.byName, why: self.why });
      continue;
    }
    approvedBy.push(d.byName);
  }
  const missing = Math.max(0, policy.required - approvedBy.length);
  return {
    required: policy.required,
    approvedBy,
    ...(rejection ? { rejection } : {}),
    notCounted,
    missing,
    state: rejection ? 'rejected' : missing === 0 ? 'approved' : 'pending',
  };
}

/**
 * What a release still waits for, in words, or undefined when it may go:
 * `production needs 2 approvals of quote-api 1.4.2; has 1 (alice); waits for 1 more from: bob, role:approver`.
 */
export function describeApprovalWait(
  policy: ApprovalPolicy,
  environment: string,
  release: { service: string; version: string },
  tally: ApprovalTally,
  excluded: readonly Excluded[] = [],
): string | undefined {
  const what = `${release.service} ${release.version}`;
  if (tally.rejection) {
    const r = tally.rejection;
    return (
      `${what} was rejected for ${environment} by ${r.by}: "${r.reason}"; deploy a new version (or ${r.by} ` +
      `approves it after all)`
    );
  }
  if (tally.state === 'approved') return undefined;
  const cannot = new Set([...tally.approvedBy, ...(policy.selfApproval ? [] : excluded.map((e) => e.name))]);
  const from = policy.approvers.filter((a) => !cannot.has(a));
  const has = tally.approvedBy.length === 0 ? 'none' : `${tally.approvedBy.length} (${tally.approvedBy.join(', ')})`;
  const plural = policy.required === 1 ? 'approval' : 'approvals';
  const ignored =
    tally.notCounted.length > 0
      ? `; not counted: ${tally.notCounted.map((n) => `${n.name} (${n.why})`).join(', ')}`
      : '';
  return (
    `${environment} needs ${policy.required} ${plural} of ${what}; has ${has}; waits for ${tally.missing} more ` +
    `from: ${from.join(', ') || 'nobody left on the list'}${ignored}`
  );
}
