-- Back to the state 0003 left: the same constraint, not yet validated.
alter table quotes drop constraint quotes_currency_iso;
alter table quotes add constraint quotes_currency_iso check (currency ~ '^[A-Z]{3}$') not valid;
