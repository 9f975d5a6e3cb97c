-- The audit log: every state-changing API request and every denied attempt, hash-chained
-- (each row's hash covers its fields and the previous row's hash) so `slipway audit verify`
-- finds a changed, inserted or deleted row. Rows are only ever appended, by appendAudit
-- (src/access/audit/chain.ts), which serialises writers on an advisory lock.
create table audit_log (
  seq       bigserial primary key,
  at        timestamptz not null,
  actor     text not null,
  action    text not null,
  target    text not null,
  source    text not null,
  outcome   text not null check (outcome in ('allowed', 'denied')),
  status    integer not null,
  before    jsonb,
  after     jsonb,
  prev_hash text not null,
  hash      text not null
);
create index audit_log_by_time on audit_log (at);

-- Guards against mistakes (a stray UPDATE, a cleanup script), not against someone who can
-- disable triggers: that is what the hash chain is for.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op;
end
$$;
create trigger audit_log_append_only before update or delete or truncate on audit_log
  for each statement execute function audit_log_append_only();
