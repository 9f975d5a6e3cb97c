/**
 * `environments.<name>.approvals` as written in slipway.yaml. There are no user accounts yet:
 * an approver is an API token, named by the token's name ("alice") or by a role the token holds
 * on the environment ("role:approver"; admins hold every role).
 */
import { z } from 'zod';
import { positiveDurationField } from './fields.js';

/** Roles that may be listed as `role:NAME`; `viewer` is left out because every grant implies it. */
export const approverRoles = ['approver', 'deployer', 'admin'] as const;

const approverPattern = new RegExp(`^(role:(${approverRoles.join('|')})|[^\\s:][^:]{0,99})$`);

const approverField = z
  .string()
  .regex(approverPattern, `expected a token name (like alice) or role:${approverRoles.join(' / role:')}`)
  .meta({
    description: 'A token name (like alice), or role:approver / role:deployer / role:admin on this environment.',
  });

export const approvalsSchema = z
  .strictObject({
    required: z
      .int()
      .min(1)
      .max(6)
      .default(1)
      .meta({ description: 'Distinct approvers a release needs before it may be deployed here (1..6).' }),
    approvers: z
      .array(approverField)
      .min(1, 'list at least one approver')
      .max(6, 'at most 6 approvers')
      .default(['role:approver'])
      .meta({ description: 'Who may approve or reject: token names and role:ROLE entries (1..6).' }),
    selfApproval: z
      .boolean()
      .optional()
      .meta({
        description:
          'May whoever deploys a release (or first deployed it) approve it too? Default false; true for an ' +
          'environment named development.',
      }),
    expiresAfter: positiveDurationField
      .default('30d')
      .meta({ description: 'An approval older than this no longer counts (e.g. 30d).' }),
  })
  .superRefine((approvals, ctx) => {
    // Only names listed: there can never be more distinct approvers than names.
    const names = approvals.approvers.filter((a) => !a.startsWith('role:'));
    if (names.length === approvals.approvers.length && approvals.required > names.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['required'],
        message:
          `${approvals.required} approvals required but only ${names.length} approver(s) listed ` +
          `(${names.join(', ')}); list more, or add role:approver`,
      });
    }
    const seen = new Set<string>();
    approvals.approvers.forEach((a, i) => {
      if (seen.has(a)) ctx.addIssue({ code: 'custom', path: ['approvers', i], message: `"${a}" is listed twice` });
      seen.add(a);
    });
  })
  .meta({
    title: 'Approvals',
    description: 'Deployments to this environment wait for sign-off: slipway approve VERSION --env NAME.',
  });

/** Parsed approvals block. */
export type ParsedApprovals = z.output<typeof approvalsSchema>;
