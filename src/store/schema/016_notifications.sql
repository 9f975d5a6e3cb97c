-- Notifications (src/notify/). The events table is the durable source: the dispatcher follows it
-- with one cursor and, in ONE transaction, inserts the deliveries an event's triggers ask for and
-- advances the cursor. An event committed is therefore a notification that will be sent (a crash
-- between the two only re-reads the event; the unique key makes that a no-op).
create table notify_cursor (
  id       integer primary key check (id = 1),
  event_id bigint not null
);
-- Start after the events already recorded: history is not announced when notifications appear.
insert into notify_cursor (id, event_id) select 1, coalesce(max(id), 0) from events;

create table notify_deliveries (
  id           bigserial primary key,
  -- event id + subscription index + notification service: the idempotency key receivers dedup by.
  key          text not null unique,
  event_id     bigint not null,
  project      text,
  environment  text,
  service      text,
  deployment_id text,
  trigger      text not null,
  -- The notification service's name in slipway.yaml (notifications.services) and its type.
  target       text not null,
  target_type  text not null,
  -- The message as rendered when the event was dispatched (never a URL or token).
  message      jsonb not null,
  -- A template that failed to render: the fallback was sent and this says why.
  render_error text,
  state        text not null default 'pending' check (state in ('pending', 'sending', 'sent', 'failed')),
  attempts     integer not null default 0,
  next_at      timestamptz not null default now(),
  last_error   text,
  -- The receiver's answer to the last attempt (status code), when it answered.
  last_status  integer,
  created_at   timestamptz not null default now(),
  sent_at      timestamptz
);
create index notify_deliveries_due on notify_deliveries (next_at) where state in ('pending', 'sending');
create index notify_deliveries_by_state on notify_deliveries (state, id desc);

-- What a service answered that later messages need: the Jira issue created for an incident.
create table notify_refs (
  target     text not null,
  ref_key    text not null,
  value      text not null,
  primary key (target, ref_key)
);
