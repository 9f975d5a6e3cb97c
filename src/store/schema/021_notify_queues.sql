-- The worker claims due deliveries per notification service of a project (its queue), urgent triggers first, then
-- the oldest. Ranking every pending row with a window function on each pass cost O(pending): ~26 ms per pass with
-- 3,000 pending on PGlite, more than the pass interval, in the very burst that fills the outbox. With the queue and
-- the urgency as columns, one index answers "the next few of this queue" and a skip scan lists the queues.
alter table notify_deliveries add column queue text generated always as (coalesce(project, '') || '/' || target) stored;
-- Set by the dispatcher from src/store/repos/notify-deliveries.ts (urgentTriggers), the one list of urgent triggers.
alter table notify_deliveries add column urgent boolean not null default false;
update notify_deliveries set urgent = true
  where state in ('pending', 'sending')
    and trigger in ('on-deployment-failed', 'on-deployment-rolled-back', 'on-incident-opened', 'on-alert-firing');
create index notify_deliveries_queue on notify_deliveries (queue, urgent, next_at, id) where state = 'pending';

-- Two projects may name a notification service alike: what one's Jira answered is not the other's.
alter table notify_refs add column project text not null default '';
alter table notify_refs drop constraint notify_refs_pkey;
alter table notify_refs add primary key (project, target, ref_key);
