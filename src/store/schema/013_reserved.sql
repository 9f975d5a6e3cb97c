-- Placeholder: this number belongs to another branch of issue 11; the lead drops this file when merging.
select 1;
