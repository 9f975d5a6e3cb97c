-- slipway: phase=expand
-- Release 2.0.0 records the vessel's flag state; 1.x neither reads nor writes the new nullable column,
-- so it keeps working while both releases are live.
set lock_timeout = '2s'; -- give up quickly instead of queueing traffic behind a long query
alter table vessels add column flag_state text;
