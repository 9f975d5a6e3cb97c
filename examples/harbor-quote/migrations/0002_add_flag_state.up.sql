-- slipway: phase=expand
-- Release 2.0.0 prices by flag state; 1.x ignores the new nullable column.
alter table vessels add column flag_state text;
create index concurrently vessels_flag_state_idx on vessels (flag_state);
