-- Incidents: something went wrong in an environment and people are (or should be) on it. Opened by the
-- incident follower from events (an automatic rollback, a regressed post-deploy watch, a failed deployment,
-- a firing critical alert) or by hand. The timeline is not stored here: it is read from the events table.
create table incidents (
  id              text primary key,
  project         text not null,
  environment     text not null,
  service         text,
  title           text not null,
  -- sev1 (worst) .. sev4
  severity        text not null,
  -- triggered | acknowledged | resolved
  state           text not null,
  -- rollback | watch | deployment | alert | manual
  source          text not null,
  -- The event that opened it: the follower reads the events table at least once, this makes it open once.
  source_event    bigint unique,
  -- Critical alerts open one incident per group, not one per alert.
  alert_group     text,
  owner           text,
  opened_by       text not null,
  opened_at       timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at     timestamptz,
  resolved_by     text,
  resolution      text
);
-- While a group's incident is open, its further critical alerts join it, however many followers race.
create unique index incidents_open_alert_group on incidents (project, environment, alert_group)
  where alert_group is not null and state <> 'resolved';
create index incidents_by_project on incidents (project, opened_at desc);

-- What an incident involves: deployment | release | alert | issue, by id (alerts by rule name).
create table incident_links (
  incident_id text not null references incidents(id) on delete cascade,
  kind        text not null,
  ref         text not null,
  added_at    timestamptz not null default now(),
  primary key (incident_id, kind, ref)
);
create index incident_links_by_ref on incident_links (kind, ref);

-- Durable positions of readers that follow the events table (the incident follower), so a restart
-- resumes where the last run stopped.
create table event_cursors (
  name       text primary key,
  after_id   bigint not null,
  updated_at timestamptz not null default now()
);
