-- Webhook deliveries (POST /api/v1/webhooks/github): every one is recorded, accepted or not, with
-- what it triggered. A delivery id is claimed only by a delivery whose signature verified and that
-- is being or was processed (the partial unique index), so a replay is recognised, while a forged
-- request (bad signature) or a failed attempt never blocks the genuine delivery carrying that id.
create table webhook_deliveries (
  id           text primary key,
  provider     text not null default 'github',
  -- X-GitHub-Delivery; null when the request had none.
  delivery_id  text,
  -- X-GitHub-Event.
  event        text,
  received_at  timestamptz not null default now(),
  outcome      text not null check (outcome in ('processing', 'triggered', 'refused', 'ignored', 'ping', 'replayed', 'unauthorized', 'malformed', 'failed')),
  -- The HTTP status answered.
  status       integer,
  -- Why it was ignored, refused or rejected.
  reason       text,
  repository   text,
  branch       text,
  commit_sha   text,
  committed_at timestamptz,
  pusher       text,
  -- Per project and service: the deployment created, or the refusal's message.
  results      jsonb not null default '[]'::jsonb
);
create unique index webhook_deliveries_once on webhook_deliveries (provider, delivery_id)
  where outcome in ('processing', 'triggered', 'refused', 'ignored', 'ping');
create index webhook_deliveries_by_time on webhook_deliveries (received_at desc);

-- The commit a release was built from, as a push announced it. Keyed by release version rather
-- than deployment, so every later deployment of that release (a promotion to production by hand)
-- has a lead time for changes too: committed_at → the deployment's finished_at, computed on read.
create table release_commits (
  project      text not null references projects(name) on delete cascade,
  service      text not null,
  version      text not null,
  sha          text not null,
  committed_at timestamptz not null,
  delivery     text references webhook_deliveries(id) on delete set null,
  primary key (project, service, version)
);
