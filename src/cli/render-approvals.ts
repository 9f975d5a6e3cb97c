import { green, painted, red, table, yellow } from './output.js';

/** An approval status as the API returns it (GET/POST /api/v1/projects/:project/approvals). */
export interface ApprovalStatusView {
  service: string;
  version: string;
  environment: string;
  state: 'approved' | 'pending' | 'rejected';
  required: number;
  approvedBy: string[];
  missing: number;
  rejection: { by: string; reason: string; at: string } | null;
  notCounted: { name: string; why: string }[];
  waitsFor: string | null;
}

const stateWord = { approved: green('approved'), pending: yellow('pending'), rejected: red('rejected') } as const;

/** One line after `slipway approve` / `reject`: where the release stands now. */
export function renderDecision(decision: 'approve' | 'reject', s: ApprovalStatusView): string {
  const what = `${s.service} ${s.version} for ${s.environment}`;
  if (decision === 'reject')
    return `rejected ${what}: it stays stopped until a new version (or you approve it after all)`;
  const count =
    `${s.approvedBy.length} of ` + `${s.required}${s.approvedBy.length > 0 ? ` (${s.approvedBy.join(', ')})` : ''}`;
  if (s.state === 'approved')
    return `approved ${what}: ${count}; ready: slipway promote-release ${s.version} --to ${s.environment}`;
  return `approved ${what}: ${count}; ${s.waitsFor ?? 'still waiting'}`;
}

/** The `slipway approvals` table. */
export function renderApprovals(list: ApprovalStatusView[]): string {
  return table(
    ['SERVICE', 'VERSION', 'ENV', 'STATE', 'APPROVALS', 'WAITS FOR'],
    list.map((s) => [
      s.service,
      s.version,
      s.environment,
      painted(stateWord[s.state]),
      `${s.approvedBy.length}/${s.required}${s.approvedBy.length > 0 ? ` ${s.approvedBy.join(', ')}` : ''}`,
      s.rejection
        ? `rejected by ${s.rejection.by}: ${s.rejection.reason}`
        : s.state === 'approved'
          ? '-'
          : `${s.missing} more`,
    ]),
  );
}
