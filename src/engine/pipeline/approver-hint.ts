/**
 * The way to another approver, for a refused self-approval: whoever first deployed a release cannot approve it
 * where selfApproval is off, and a team of one has nobody to ask until an admin creates a token that may approve.
 */
import type { ApprovalPolicy } from '../../config/model.js';
import { shellWord } from '../../shared/shell-quote.js';

/**
 * "ask one of: lead, role:approver; or have an admin create a token for one: slipway tokens create …". A role entry
 * is preferred (a new token of its own role, named for the environment, acts as nobody else); a listed name needs
 * only to view the environment, which the approvals route asks of every decider.
 * @example anotherApproverHint({ approvers: ['role:approver'] }, 'production', 'bob')
 * // 'ask one of: role:approver; or have an admin create a token for one: ' +
 * // 'slipway tokens create --name production-approver --grant approver:production'
 */
export function anotherApproverHint(
  policy: Pick<ApprovalPolicy, 'approvers'>,
  environment: string,
  self: string,
): string {
  const others = policy.approvers.filter((a) => a !== self);
  const role = others.find((a) => a.startsWith('role:'))?.slice('role:'.length);
  const named = others.find((a) => !a.startsWith('role:'));
  const roleName = `${environment}-approver` === self ? `${environment}-approver-2` : `${environment}-approver`;
  const command =
    role !== undefined
      ? `slipway tokens create --name ${shellWord(roleName)} --grant ${role}:${environment}`
      : named !== undefined
        ? `slipway tokens create --name ${shellWord(named)} --grant viewer:${environment}`
        : undefined;
  const ask =
    others.length > 0
      ? `ask one of: ${others.join(', ')}`
      : `nobody else is listed as an approver: list another in environments.${environment}.approvals.approvers`;
  return command ? `${ask}; or have an admin create a token for one: ${command}` : ask;
}
