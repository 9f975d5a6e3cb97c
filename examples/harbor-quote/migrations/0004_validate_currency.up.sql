-- slipway: phase=expand
-- Validation scans quotes, so it runs in its own transaction after the NOT VALID constraint
-- committed: it takes only SHARE UPDATE EXCLUSIVE, and reads and writes go on meanwhile.
set lock_timeout = '2s';
alter table quotes validate constraint quotes_currency_iso;
