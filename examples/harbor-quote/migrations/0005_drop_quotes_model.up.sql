-- slipway: phase=contract after=2.0.0
-- slipway: irreversible
-- 2.0.0 stopped reading quotes.model; this runs only once no older release is live. The values
-- are gone afterwards, so there is no down script (a re-added empty column would not undo it).
set lock_timeout = '2s';
alter table quotes drop column model;
