-- Canary analysis: every verdict the judge gave that mattered (fails, gates, and a running one
-- every few seconds), with its explanation: metric, candidate/stable/baseline figures, statistic,
-- threshold and decision per rule.
create table verdicts (
  id            bigserial primary key,
  deployment_id text not null references deployments(id) on delete cascade,
  step          integer not null,
  at            timestamptz not null,
  outcome       text not null check (outcome in ('pass', 'fail', 'running', 'inconclusive')),
  score         double precision not null,
  final         boolean not null default false,
  reason        text not null,
  metrics       jsonb not null
);
create index verdicts_by_deployment on verdicts (deployment_id, id desc);
