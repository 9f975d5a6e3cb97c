-- Followers of the events table (the notification dispatcher, the incident follower) read events in the order of
-- the transactions that wrote them. An id comes from a sequence when the row is inserted, so on PostgreSQL a lower
-- id can commit after a higher one (concurrent writers): a cursor on ids alone would pass the lower one before it
-- is visible and never read it. Each event therefore records its transaction (xid8, never wraps), and a follower
-- only reads events of transactions below pg_snapshot_xmin(pg_current_snapshot()) — every one of those has ended,
-- so nothing can still appear below its position, which is (xid, id).
--
-- Events stored before this migration read as transaction 0 (a constant default adds the column without rewriting
-- the table): they come first, in id order, so the cursors' old ids keep their meaning as (0, id).
alter table events add column xid xid8 not null default '0';
alter table events alter column xid set default pg_current_xact_id();
create index events_by_xid on events (xid, id);

alter table notify_cursor add column xid xid8 not null default '0';
alter table event_cursors add column after_xid xid8 not null default '0';
