-- slipway: phase=expand
-- Release 2.0.0 prices by flag state; 1.x ignores the new nullable column.
set lock_timeout = '2s'; -- give up quickly instead of queueing traffic behind a long query
alter table vessels add column flag_state text;
create index concurrently vessels_flag_state_idx on vessels (flag_state);
