-- Approvals: sign-off for a release (service + version, pinned to the release's digest) to enter
-- an environment. Rows are only appended: a later decision by the same approver supersedes an
-- earlier one, and the history stays readable. Approvers are API tokens (no user accounts yet):
-- by_name is the token's name (the "person"), by_token its id (a revoked token's decisions void).
create table approvals (
  id             text primary key,
  project        text not null references projects(name) on delete cascade,
  service        text not null,
  version        text not null,
  release_digest text not null,
  environment    text not null,
  decision       text not null check (decision in ('approve', 'reject')),
  by_name        text not null,
  by_token       text not null,
  reason         text,
  at             timestamptz not null,
  -- Approvals stop counting then; rejections do not expire (null).
  expires_at     timestamptz,
  constraint approvals_reject_has_reason check (decision = 'approve' or (reason is not null and reason <> '')),
  constraint approvals_approve_expires check (decision = 'reject' or expires_at is not null)
);
create index approvals_by_release on approvals (project, environment, service, version, at);
