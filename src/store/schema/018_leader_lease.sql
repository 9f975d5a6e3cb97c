-- Several coordinators on one PostgreSQL: exactly one leader runs the engine. The lease is one row: who holds it,
-- a fencing token that grows on every acquisition, and when it expires (renewed about every second). PGlite is
-- one process and never writes this row.
create table leader_lease (
  id          integer primary key check (id = 1),
  holder      text not null,
  token       bigint not null,
  url         text not null,
  host        text not null,
  pid         integer not null,
  acquired_at timestamptz not null,
  expires_at  timestamptz not null
);

-- Fencing in the database itself: a connection that says which coordinator it belongs to (the session setting
-- slipway.holder, set when the connection opens) may change the engine's tables only while that coordinator holds
-- an unexpired lease. A deposed leader's writes are refused here, whatever its timers believe; a follower's too.
-- Connections without the setting (PGlite, `slipway db` tools, psql) are not fenced.
create function slipway_fence() returns trigger language plpgsql as $$
declare
  me text := nullif(current_setting('slipway.holder', true), '');
begin
  if me is not null and not exists (
    select 1 from leader_lease where id = 1 and holder = me and expires_at > clock_timestamp()
  ) then
    raise exception 'slipway: this coordinator (%) does not hold the leader lease; its write to % is refused', me,
      tg_table_name using errcode = '55P03';
  end if;
  return null;
end
$$;

create trigger deployments_fence before insert or update or delete on deployments
  for each statement execute function slipway_fence();
create trigger instances_fence before insert or update or delete on instances
  for each statement execute function slipway_fence();
create trigger traffic_fence before insert or update or delete on traffic
  for each statement execute function slipway_fence();
create trigger service_state_fence before insert or update or delete on service_state
  for each statement execute function slipway_fence();
create trigger rollouts_fence before insert or update or delete on rollouts
  for each statement execute function slipway_fence();
