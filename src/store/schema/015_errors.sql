-- Error tracking that speaks the Sentry protocol (src/observe/errors/).

-- One DSN key per project and environment. `id` is the numeric Sentry "project id" of the DSN
-- (http://<public_key>@<coordinator>/<id>); rotating a key revokes the row and makes a new one.
create table dsn_keys (
  id          serial primary key,
  project     text not null,
  environment text not null,
  public_key  text not null,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);
create unique index dsn_keys_active on dsn_keys (project, environment) where revoked_at is null;

-- Events grouped by fingerprint: the same bug in two releases is one issue.
create table error_issues (
  id                text primary key,
  project           text not null,
  -- sha256 hex of the grouping parts (client fingerprint, or type + value + top in-app frame)
  fingerprint       text not null,
  title             text not null,
  culprit           text,
  exception_type    text,
  level             text not null,
  unhandled         boolean not null default false,
  -- unresolved | resolved | ignored
  status            text not null default 'unresolved',
  status_changed_at timestamptz,
  resolved_release  text,
  first_seen        timestamptz not null,
  last_seen         timestamptz not null,
  first_release     text not null,
  event_count       bigint not null default 0,
  regressed_at      timestamptz,
  regressed_release text,
  unique (project, fingerprint)
);
create index error_issues_recent on error_issues (project, last_seen desc);

-- Counts per release and environment (what "new in this release" and the judge read).
create table error_issue_counts (
  issue_id    text not null references error_issues (id) on delete cascade,
  release     text not null,
  environment text not null,
  event_count bigint not null,
  first_seen  timestamptz not null,
  last_seen   timestamptz not null,
  primary key (issue_id, release, environment)
);

-- Affected users (user id, email, username or address, hashed) per issue, release and environment.
create table error_issue_users (
  issue_id    text not null references error_issues (id) on delete cascade,
  release     text not null,
  environment text not null,
  user_hash   text not null,
  primary key (issue_id, release, environment, user_hash)
);

-- The events themselves, bounded by count and age (retention.ts).
create table error_events (
  project     text not null,
  event_id    text not null,
  issue_id    text not null references error_issues (id) on delete cascade,
  environment text not null,
  release     text not null,
  level       text not null,
  unhandled   boolean not null,
  received_at timestamptz not null,
  -- the event as the SDK sent it, gzip-compressed JSON: a third of the bytes, and no jsonb parsing per event
  payload     bytea not null,
  primary key (project, event_id)
);
create index error_events_by_issue on error_events (issue_id, received_at desc);
create index error_events_window on error_events (project, environment, release, received_at);
create index error_events_age on error_events (received_at);

-- Release health from SDK sessions, per hour.
create table release_sessions (
  project     text not null,
  environment text not null,
  release     text not null,
  bucket      timestamptz not null,
  sessions    bigint not null default 0,
  errored     bigint not null default 0,
  crashed     bigint not null default 0,
  abnormal    bigint not null default 0,
  primary key (project, environment, release, bucket)
);

-- Users (the SDK's distinct id, hashed) seen in sessions per hour, and whether one of theirs crashed.
create table release_session_users (
  project     text not null,
  environment text not null,
  release     text not null,
  bucket      timestamptz not null,
  user_hash   text not null,
  crashed     boolean not null default false,
  primary key (project, environment, release, bucket, user_hash)
);

-- Transactions per minute (sampled by the SDK): the traffic the SDK saw, next to its errors.
create table release_transactions (
  project     text not null,
  environment text not null,
  release     text not null,
  bucket      timestamptz not null,
  count       bigint not null default 0,
  primary key (project, environment, release, bucket)
);
