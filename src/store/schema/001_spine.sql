-- Slipway's own schema, version 1: projects, releases, deployments, instances, traffic, events, tokens.
-- Timestamps are timestamptz; ids are text (prefixed, time-sortable: see src/shared/ids.ts).

create table projects (
  name        text primary key,
  -- The validated config (JSON, paths absolute) the project was last applied with.
  config      jsonb not null,
  digest      text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table releases (
  id          text primary key,
  project     text not null references projects(name) on delete cascade,
  service     text not null,
  version     text not null,
  -- Resolved command, args, cwd and env (secrets never stored here).
  spec        jsonb not null,
  digest      text not null,
  created_at  timestamptz not null default now(),
  unique (project, service, version)
);

create table deployments (
  id            text primary key,
  project       text not null references projects(name) on delete cascade,
  service       text not null,
  environment   text not null,
  kind          text not null check (kind in ('deploy', 'rollback')),
  from_release  text references releases(id),
  to_release    text not null references releases(id),
  strategy      text not null,
  -- queued → running → succeeded | rolling_back → rolled_back | failed; queued → cancelled
  state         text not null check (state in ('queued','running','rolling_back','succeeded','rolled_back','failed','cancelled')),
  -- The plan (list of steps) being executed; replaced by the rollback plan when rolling back.
  plan          jsonb not null,
  step          integer not null default 0,
  step_started_at timestamptz,
  reason        text,
  error         jsonb,
  requested_by  text,
  options       jsonb not null default '{}'::jsonb,
  created_at    timestamptz not null default now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  updated_at    timestamptz not null default now()
);
-- One active deployment per service and environment: the database refuses a second one.
create unique index deployments_one_active on deployments (project, service, environment)
  where state in ('running', 'rolling_back');
create index deployments_by_service on deployments (project, service, environment, created_at desc);

create table instances (
  id            text primary key,
  project       text not null references projects(name) on delete cascade,
  service       text not null,
  environment   text not null,
  release_id    text not null references releases(id),
  deployment_id text references deployments(id),
  runtime       text not null,
  -- What the runtime needs to find the instance again (pid, port, process start time...).
  handle        jsonb,
  spec          jsonb not null,
  address       text,
  -- desired: should this instance run? (false once it is being stopped)
  desired       text not null check (desired in ('running', 'warm', 'stopped')),
  state         text not null,
  restarts      integer not null default 0,
  message       text,
  retire_at     timestamptz,
  started_at    timestamptz not null default now(),
  stopped_at    timestamptz,
  updated_at    timestamptz not null default now()
);
create index instances_live on instances (project, environment, service) where desired <> 'stopped';

-- Current weights per release of a service in an environment (the desired route table).
create table traffic (
  project     text not null references projects(name) on delete cascade,
  environment text not null,
  service     text not null,
  release_id  text not null references releases(id),
  role        text not null check (role in ('stable', 'candidate')),
  weight      integer not null check (weight >= 0),
  primary key (project, environment, service, release_id)
);

-- Which release is stable per service and environment, and the one before it (for rollback).
create table service_state (
  project           text not null references projects(name) on delete cascade,
  environment       text not null,
  service           text not null,
  stable_release    text references releases(id),
  previous_release  text references releases(id),
  updated_at        timestamptz not null default now(),
  primary key (project, environment, service)
);

create table events (
  id            bigserial primary key,
  project       text,
  deployment_id text,
  service       text,
  environment   text,
  -- e.g. deployment.step.started, instance.crashed, traffic.shifted
  kind          text not null,
  message       text not null,
  data          jsonb not null default '{}'::jsonb,
  at            timestamptz not null default now()
);
create index events_by_deployment on events (deployment_id, id);

create table tokens (
  id          text primary key,
  name        text not null,
  -- sha256 of the token; the token itself is shown once and never stored.
  hash        text not null unique,
  role        text not null,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz,
  revoked_at  timestamptz,
  last_used_at timestamptz
);
