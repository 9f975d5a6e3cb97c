-- slipway: phase=expand
-- A constant default is a catalog-only change since PostgreSQL 11: no table rewrite.
set lock_timeout = '2s'; -- give up quickly instead of queueing traffic behind a long query
alter table quotes add column currency text not null default 'USD';
alter table quotes add constraint quotes_currency_iso check (currency ~ '^[A-Z]{3}$') not valid;
