drop index concurrently if exists vessels_flag_state_idx;
alter table vessels drop column flag_state;
