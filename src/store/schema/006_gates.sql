-- Deployment gates: every result of a command, coverage or smoke gate, with the tail of its
-- output (the gate's own output only: its environment is never stored).
create table gate_results (
  id            bigserial primary key,
  deployment_id text not null references deployments(id) on delete cascade,
  phase         text not null check (phase in ('before', 'after')),
  name          text not null,
  kind          text not null check (kind in ('command', 'coverage', 'smoke')),
  outcome       text not null check (outcome in ('pass', 'fail', 'error')),
  exit_code     integer,
  duration_ms   integer not null,
  output_tail   text,
  detail        jsonb not null,
  at            timestamptz not null
);
create index gate_results_by_deployment on gate_results (deployment_id, id);
