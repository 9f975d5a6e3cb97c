-- A release of the whole project moving into an environment: its components (one per service the
-- release names) are deployments of their own, started level by level in dependency order and
-- rolled back together in reverse order. The deployments are the truth about each component; the
-- rollout keeps the order, the overall state and what it last saw of each component (for views).
create table rollouts (
  id           text primary key,
  project      text not null,
  environment  text not null,
  version      text not null,
  -- running | rolling_back | succeeded | rolled_back | failed
  state        text not null,
  -- [{service, level, release, from, phase, deployment, rollback, reason}]
  components   jsonb not null,
  reason       text,
  requested_by text,
  -- settings fixed at creation (emergency, the ids of the components' releases)
  settings     jsonb not null default '{}'::jsonb,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  finished_at  timestamptz,
  -- a succeeded rollout is still rolled back as a whole when a component is rolled back before this
  watch_until  timestamptz
);
-- One release at a time per environment, however many requests race.
create unique index rollouts_one_active on rollouts (project, environment) where state in ('running', 'rolling_back');
create index rollouts_by_project on rollouts (project, environment, created_at desc);
