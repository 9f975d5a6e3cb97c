-- Placeholder on branch h-leader only: 018 is another change's number. At the merge, this file is dropped in
-- favour of the real 018 (schema files are numbered without gaps).
select 1;
