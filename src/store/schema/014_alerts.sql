-- Alert rules (src/observe/alerts): the alerts active now (pending or firing) per environment,
-- replaced at each evaluation round, so a restarted coordinator carries on with the same `for`
-- timers; resolved ones leave (their history is the alert.firing / alert.resolved events).
create table alerts (
  project          text not null references projects(name) on delete cascade,
  environment      text not null,
  fingerprint      text not null,
  rule             text not null,
  severity         text not null check (severity in ('critical', 'warning')),
  group_key        text not null,
  labels           jsonb not null,
  state            text not null check (state in ('pending', 'firing')),
  value            double precision not null,
  threshold        double precision not null,
  active_since     timestamptz not null,
  fired_at         timestamptz,
  last_breach_at   timestamptz not null,
  -- The last alert.firing event; null while it was never announced (muted since it fired).
  last_notified_at timestamptz,
  -- A silence id, or "inhibited by <rule>".
  muted_by         text,
  primary key (project, environment, fingerprint)
);

-- What the last round read, for `slipway alerts` (failed checks included).
create table alert_readings (
  project     text not null references projects(name) on delete cascade,
  environment text not null,
  at          timestamptz not null,
  readings    jsonb not null,
  primary key (project, environment)
);

-- Silences mute the alerts their matchers accept until ends_at, or until someone expires them.
create table silences (
  id          text primary key,
  project     text not null references projects(name) on delete cascade,
  environment text not null,
  matchers    jsonb not null,
  comment     text not null,
  created_by  text not null,
  starts_at   timestamptz not null,
  ends_at     timestamptz not null check (ends_at > starts_at),
  -- Set once its end was recorded (silence.expired): at ends_at, or earlier by expired_by.
  expired_at  timestamptz,
  expired_by  text
);
create index silences_by_environment on silences (project, environment, ends_at);
