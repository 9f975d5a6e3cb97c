alter table quotes drop constraint quotes_currency_iso;
alter table quotes drop column currency;
