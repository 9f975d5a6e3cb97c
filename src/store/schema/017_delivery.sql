-- Delivery figures and stakeholder communication: availability measured by Slipway itself, scheduled deployments,
-- release notes.

-- Availability per minute and service: synthetic requests the coordinator sends through the proxy (probes,
-- probe_failures) and the proxy's own counters over the same minute (requests, errors_5xx: 5xx answers plus the
-- proxy's 502/503/504). One row per minute keeps a month of one service at ~43,000 small rows.
create table availability_samples (
  project         text not null,
  environment     text not null,
  service         text not null,
  minute          timestamptz not null,
  probes          integer not null default 0,
  probe_failures  integer not null default 0,
  requests        bigint not null default 0,
  errors_5xx      bigint not null default 0,
  primary key (project, environment, service, minute)
);

-- A deployment asked for a later time: the coordinator creates it through the ordinary path when `run_at` comes
-- (pending → started | failed | cancelled), and announces it `notify_before` ahead (noticed_at).
create table scheduled_deployments (
  id             text primary key,
  project        text not null,
  service        text not null,
  environment    text not null,
  version        text not null,
  run_at         timestamptz not null,
  notify_before_ms bigint not null,
  state          text not null check (state in ('pending', 'started', 'failed', 'cancelled')),
  -- strategy, reason, emergency... as given to the deploy request
  request        jsonb not null default '{}'::jsonb,
  requested_by   text,
  deployment_id  text,
  error          text,
  noticed_at     timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);
create index scheduled_deployments_pending on scheduled_deployments (run_at) where state = 'pending';

-- Release notes of a candidate against the stable release it replaces, from the git history between their commits.
create table release_notes (
  project       text not null,
  service       text not null,
  version       text not null,
  from_version  text,
  -- {features: [...], fixes: [...], breaking: [...], other: [...]} of {sha, subject, scope?}
  notes         jsonb not null,
  markdown      text not null,
  created_at    timestamptz not null default now(),
  primary key (project, service, version)
);
